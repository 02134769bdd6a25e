/**
 * The service catalog: one entry per service this gateway serves, each with public, internal
 * and admin endpoints on DevStack-style paths of the one gateway port. Ids are fixed so that
 * `openstack endpoint list` stays stable across restarts.
 */
export interface CatalogEndpoint {
  readonly id: string;
  readonly interface: "public" | "internal" | "admin";
  readonly region: string;
  readonly region_id: string;
  readonly url: string;
}

export interface CatalogService {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly endpoints: ReadonlyArray<CatalogEndpoint>;
}

interface ServiceEntry {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly path: string;
}

const services: ReadonlyArray<ServiceEntry> = [
  { id: "6b8f0c2e4a1d4f0e9b3c5d7e8f901201", type: "identity", name: "keystone", path: "/identity" },
  { id: "6b8f0c2e4a1d4f0e9b3c5d7e8f901202", type: "image", name: "glance", path: "/image" },
  { id: "6b8f0c2e4a1d4f0e9b3c5d7e8f901203", type: "compute", name: "nova", path: "/compute/v2.1" },
  { id: "6b8f0c2e4a1d4f0e9b3c5d7e8f901204", type: "placement", name: "placement", path: "/placement" },
  // Weft's own: the public event stream (docs/events.md); no OpenStack service type names one.
  { id: "6b8f0c2e4a1d4f0e9b3c5d7e8f9012e1", type: "event-stream", name: "weft-events", path: "/events/v1" },
  // The audit trail (docs/audit.md): CADF records of every event; no OpenStack service type names one.
  { id: "6b8f0c2e4a1d4f0e9b3c5d7e8f9012a1", type: "audit", name: "weft-audit", path: "/audit/v1" },
  // The metering API (docs/metering.md), under Ceilometer's old service type; Nova's usage report stays under compute.
  { id: "6b8f0c2e4a1d4f0e9b3c5d7e8f9012b1", type: "metering", name: "weft-metering", path: "/metering/v1" },
];

const interfaces = ["public", "internal", "admin"] as const;

export const buildCatalog = (publicUrl: string, region: string): ReadonlyArray<CatalogService> =>
  services.map((service) => ({
    id: service.id,
    type: service.type,
    name: service.name,
    endpoints: interfaces.map((kind, index) => ({
      // The service ids differ only in their last two digits, so those stay in each endpoint's id.
      id: `${service.id.slice(0, 28)}${service.id.slice(30)}${index.toString().padStart(2, "0")}`,
      interface: kind,
      region,
      region_id: region,
      url: `${publicUrl}${service.path}`,
    })),
  }));

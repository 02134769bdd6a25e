/**
 * `/placement/resource_classes` (1.2): the standard classes of `os-resource-classes` and the
 * custom ones some provider's inventory uses (Weft creates custom classes only by using them).
 */
import { Hono } from "hono";
import type { PlacementDocument } from "@weft/projections/placement";
import { HttpFault } from "../http/faults.ts";
import type { PlacementDeps, PlacementEnv } from "./context.ts";
import { atLeast } from "./microversions.ts";
import { enforcePlacement } from "./policy.ts";
import { resourceClassView } from "./views.ts";

/** os-resource-classes' STANDARDS, in its order (it mirrors database ids). */
const STANDARD_CLASSES = [
  "VCPU", "MEMORY_MB", "DISK_GB", "PCI_DEVICE", "SRIOV_NET_VF", "NUMA_SOCKET", "NUMA_CORE", "NUMA_THREAD", "NUMA_MEMORY_MB",
  "IPV4_ADDRESS", "VGPU", "VGPU_DISPLAY_HEAD", "NET_BW_EGR_KILOBIT_PER_SEC", "NET_BW_IGR_KILOBIT_PER_SEC", "PCPU",
  "MEM_ENCRYPTION_CONTEXT", "FPGA", "PGPU", "NET_PACKET_RATE_KILOPACKET_PER_SEC", "NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC",
  "NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC",
];

export const knownResourceClasses = (doc: PlacementDocument): ReadonlySet<string> => {
  const known = new Set(STANDARD_CLASSES);
  doc.providers.forEach(({ provider }) => {
    for (const resourceClass of Object.keys(provider.inventories)) known.add(resourceClass);
  });
  return known;
};

export const resourceClassRoutes = (deps: PlacementDeps) =>
  new Hono<PlacementEnv>()
    .use(async (c, next) => {
      if (!atLeast(c.get("placementMicroversion"), 2)) throw new HttpFault(404, "The resource could not be found.");
      await next();
    })
    .get("/", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_classes:list");
      return c.json({ resource_classes: [...knownResourceClasses(deps.placement())].map(resourceClassView) });
    })
    .get("/:name", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_classes:show");
      const name = c.req.param("name");
      if (!knownResourceClasses(deps.placement()).has(name)) throw new HttpFault(404, `No such resource class ${name}.`);
      return c.json(resourceClassView(name));
    });

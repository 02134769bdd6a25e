/**
 * The flavor catalog's rules, one given/when/then per rule: Nova's size bounds, names and ids
 * unique cloud-wide and freed by a delete, extra specs only on flavors that exist.
 */
import { describe, expect, it } from "vitest";
import { deciderSpecification } from "../../shared/index.ts";
import { flavorCatalogDecider, flavorCatalogStream, flavorCatalogStreamFor, type CreateFlavor, type FlavorCommand, type FlavorEvent } from "./index.ts";

const spec = deciderSpecification(flavorCatalogDecider);

const small: CreateFlavor = {
  flavorId: "f1", name: "m1.small", vcpus: 1, ramMb: 2048, diskGb: 20, ephemeralGb: 0, swapMb: 0, isPublic: true, description: "",
};
const create = (changes: Partial<CreateFlavor> = {}): FlavorCommand => ({ type: "CreateFlavor", data: { ...small, ...changes } });
const created = (changes: Partial<CreateFlavor> = {}): FlavorEvent => ({ type: "FlavorCreated", data: { ...small, ...changes } });
const flavorDeleted = (flavorId = "f1"): FlavorEvent => ({ type: "FlavorDeleted", data: { flavorId } });
const setSpecs = (extraSpecs: Record<string, string>, flavorId = "f1"): FlavorCommand => ({ type: "SetFlavorExtraSpecs", data: { flavorId, extraSpecs } });
const specsSet = (extraSpecs: Record<string, string>, flavorId = "f1"): FlavorEvent => ({ type: "FlavorExtraSpecsSet", data: { flavorId, extraSpecs } });
const unset = (key: string, flavorId = "f1"): FlavorCommand => ({ type: "UnsetFlavorExtraSpec", data: { flavorId, key } });

describe("CreateFlavor", () => {
  it("creates a flavor, copying every field", () => {
    const data = { flavorId: "42", name: "big", vcpus: 8, ramMb: 16384, diskGb: 0, ephemeralGb: 10, swapMb: 1024, isPublic: false, description: "d" };
    spec.given([]).when({ type: "CreateFlavor", data }).then([{ type: "FlavorCreated", data }]);
  });
  it("refuses a name in use", () => spec.given([created()]).when(create({ flavorId: "f2" })).thenRejects("FlavorNameTaken"));
  it("refuses an id in use", () => spec.given([created()]).when(create({ name: "m1.other" })).thenRejects("FlavorIdTaken"));
  it("matches names exactly", () => spec.given([created()]).when(create({ flavorId: "f2", name: "M1.small" })).then([created({ flavorId: "f2", name: "M1.small" })]));
  it("frees the name and id of a deleted flavor", () => spec.given([created(), flavorDeleted()]).when(create()).then([created()]));
  it("keeps a name held by another flavor", () =>
    spec.given([created(), created({ flavorId: "f2", name: "m1.tiny" }), flavorDeleted("f2")]).when(create({ flavorId: "f3" })).thenRejects("FlavorNameTaken"));

  it.each([
    ["vcpus", { vcpus: 0 }],
    ["ram", { ramMb: 0 }],
    ["disk", { diskGb: -1 }],
    ["OS-FLV-EXT-DATA:ephemeral", { ephemeralGb: -1 }],
    ["swap", { swapMb: -1 }],
  ] as const)("refuses %s out of bounds", (field, changes) => {
    spec.given([]).when(create(changes)).thenRejects("InvalidFlavor");
    const decision = flavorCatalogDecider.decide(create(changes), flavorCatalogDecider.initialState());
    expect(decision).toMatchObject({ message: expect.stringContaining(`field/attribute ${field}.`) });
  });
  it("accepts the smallest flavor Nova allows", () =>
    spec.given([]).when(create({ vcpus: 1, ramMb: 1, diskGb: 0 })).then([created({ vcpus: 1, ramMb: 1, diskGb: 0 })]));
  it("words the errors as Nova does", () => {
    expect(flavorCatalogDecider.decide(create({ vcpus: 0 }), flavorCatalogDecider.initialState()))
      .toEqual({ _tag: "InvalidFlavor", message: "Invalid input for field/attribute vcpus. Value: 0. 0 is less than the minimum of 1" });
    expect(flavorCatalogDecider.decide(create({ flavorId: "f2" }), flavorCatalogDecider.evolve(flavorCatalogDecider.initialState(), created())))
      .toEqual({ _tag: "FlavorNameTaken", message: "Flavor with name m1.small already exists." });
  });
});

describe("DeleteFlavor", () => {
  it("deletes a flavor", () => spec.given([created()]).when({ type: "DeleteFlavor", data: { flavorId: "f1" } }).then([flavorDeleted()]));
  it("does not find a flavor never created or already deleted", () => {
    spec.given([]).when({ type: "DeleteFlavor", data: { flavorId: "f1" } }).thenRejects("FlavorNotFound");
    spec.given([created(), flavorDeleted()]).when({ type: "DeleteFlavor", data: { flavorId: "f1" } }).thenRejects("FlavorNotFound");
  });
});

describe("flavor extra specs", () => {
  it("sets extra specs", () =>
    spec.given([created()]).when(setSpecs({ "hw:cpu_policy": "dedicated" })).then([specsSet({ "hw:cpu_policy": "dedicated" })]));
  it("records only the specs that change", () =>
    spec.given([created(), specsSet({ a: "1" })]).when(setSpecs({ a: "1", b: "2" })).then([specsSet({ b: "2" })]));
  it("accepts specs that change nothing with no events", () => spec.given([created(), specsSet({ a: "1" })]).when(setSpecs({ a: "1" })).then([]));
  it("unsets a spec", () =>
    spec.given([created(), specsSet({ a: "1" })]).when(unset("a")).then([{ type: "FlavorExtraSpecUnset", data: { flavorId: "f1", key: "a" } }]));
  it("does not find a spec never set or already unset", () => {
    spec.given([created()]).when(unset("a")).thenRejects("FlavorExtraSpecNotFound");
    spec.given([created()]).when(unset("constructor")).thenRejects("FlavorExtraSpecNotFound");
    spec.given([created(), specsSet({ a: "1" }), { type: "FlavorExtraSpecUnset", data: { flavorId: "f1", key: "a" } }])
      .when(unset("a")).thenRejects("FlavorExtraSpecNotFound");
  });
  it("needs the flavor", () => {
    spec.given([]).when(setSpecs({ a: "1" })).thenRejects("FlavorNotFound");
    spec.given([created(), flavorDeleted()]).when(unset("a")).thenRejects("FlavorNotFound");
  });
  it("starts a re-created flavor without the old specs", () =>
    spec.given([created(), specsSet({ a: "1" }), flavorDeleted(), created()]).when(setSpecs({ a: "1" })).then([specsSet({ a: "1" })]));
});

describe("flavor catalog stream", () => {
  it("is one stream for every command", () => {
    expect(flavorCatalogStream).toBe("flavors-00000000-0000-4000-8000-000000000002");
    expect(flavorCatalogStreamFor(create())).toBe(flavorCatalogStream);
  });
});

/**
 * Compute drivers: the port every hypervisor driver implements, and the `fake` driver.
 */
export * from "./ComputeDriver.ts";
export { makeFakeDriver, type FakeDriverOptions } from "./fake/fakeDriver.ts";

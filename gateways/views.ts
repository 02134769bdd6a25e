/**
 * The response bodies of the OpenStack APIs as pure functions of read-model records, for the
 * operator command (`weft show --as-of` prints a resource as the API would have shown it).
 */
export { serverDetail } from "./compute/serverViews.ts";
export { flavorView, keypairView } from "./compute/views.ts";
export { MAX_VERSION as MAX_COMPUTE_VERSION } from "./compute/microversions.ts";
export { imageView } from "./image/views.ts";
export { projectView, userView } from "./identity/views.ts";

/**
 * The meter role (docs/metering.md): `runMeter` follows the public event stream and keeps the
 * metering document, checkpointed under `<WEFT_DATA_DIR>/meter/`; the Keystone client logs the
 * meter in and validates its callers' tokens when it runs apart from the gateway.
 */
export { meterCheckpointFile, MeterRefused, runMeter, type MeterOptions, type RunningMeter } from "./meter.ts";
export { keptLogin, keystoneTokenValidator, LoginRefused, passwordLogin, type Fetch, type PasswordLogin, type TokenValidatorOptions, type ValidatedToken } from "./keystone.ts";

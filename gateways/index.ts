/**
 * The HTTP gateway: `runGateway` starts the role (read models + HTTP server); `gatewayApp`
 * builds the hono app for in-process tests; the password and token helpers are what the
 * operator command needs to bootstrap identity.
 */
export { gatewayApp, type GatewayDeps } from "./app.ts";
export { runGateway, type GatewayOptions, type RunningGateway } from "./serve.ts";
export { hashPassword, verifyPassword, DEFAULT_SCRYPT_COST, type ScryptCost } from "./identity/passwords.ts";
export { makeTokenSealer } from "./identity/tokens.ts";
export * as views from "./views.ts";
export { runMeterService, type MeterServiceOptions, type RunningMeterService } from "./metering/serve.ts";

/**
 * The standalone meter (`weft meter`): the meter role joined to a cloud by its gateway's URL only,
 * as any outside program would be. It logs in to Keystone with admin credentials, follows the
 * public event stream from its checkpoint, and serves the metering routes on a port of its own,
 * checking callers' tokens with Keystone (`GET /v3/auth/tokens`), since it shares nothing else
 * with the gateway.
 */
import type { AddressInfo } from "node:net";
import { Clock, Effect } from "effect";
import { keptLogin, keystoneTokenValidator, runMeter, type RunningMeter } from "@weft/infra/metering";
import { listen } from "../serve.ts";
import { meterApp } from "./routes.ts";

export interface MeterServiceOptions {
  /** The gateway (Keystone and the event stream): `http://127.0.0.1:5000`. */
  readonly gatewayUrl: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly adminProject: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** How clients reach this meter (next links); defaults to http://<host>:<port>. */
  readonly publicUrl?: string;
  /** `<WEFT_DATA_DIR>/meter`. */
  readonly dir: string;
}

export interface RunningMeterService {
  readonly url: string;
  readonly meter: RunningMeter;
}

export const runMeterService = Effect.fnUntraced(function* (options: MeterServiceOptions) {
  const clock = yield* Clock.Clock;
  const login = keptLogin({ authUrl: options.gatewayUrl, userName: options.adminUser, password: options.adminPassword, projectName: options.adminProject });
  const meter = yield* runMeter({ stream: { url: options.gatewayUrl, token: () => login(true) }, dir: options.dir });
  // Requests are refused until the app exists, microseconds after listening (port 0 is known only then).
  let fetch: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  const server = yield* listen((request) => fetch(request), options.host, options.port);
  const url = options.publicUrl ?? `http://${options.host}:${(server.address() as AddressInfo).port}`;
  fetch = meterApp({
    publicUrl: url,
    meter: () => meter.current(),
    now: () => clock.currentTimeMillisUnsafe(),
    authenticate: keystoneTokenValidator({ authUrl: options.gatewayUrl, serviceToken: login, now: () => clock.currentTimeMillisUnsafe() }),
  }).fetch;
  return { url, meter } satisfies RunningMeterService;
});

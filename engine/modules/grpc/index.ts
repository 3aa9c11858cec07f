/**
 * `k6/net/grpc` (client.ts holds Client and Stream): `new grpc.Client()` per VU, `grpc.Stream`,
 * and k6's status constants. `client.connect` and `client.invoke` block in k6: the loader awaits
 * them (MODULE_BLOCKING_METHODS in engine/loader/blocking.ts); `asyncInvoke` is tracked.
 */
import type { ModuleFactory, VuContext } from '../../types.ts';
import { Client, Stream as GrpcStream } from './client.ts';
import { moduleExports } from '../module-exports.ts';

export const STATUS = {
  StatusOK: 0,
  StatusCanceled: 1,
  StatusUnknown: 2,
  StatusInvalidArgument: 3,
  StatusDeadlineExceeded: 4,
  StatusNotFound: 5,
  StatusAlreadyExists: 6,
  StatusPermissionDenied: 7,
  StatusResourceExhausted: 8,
  StatusFailedPrecondition: 9,
  StatusAborted: 10,
  StatusOutOfRange: 11,
  StatusUnimplemented: 12,
  StatusInternal: 13,
  StatusUnavailable: 14,
  StatusDataLoss: 15,
  StatusUnauthenticated: 16,
  // healthCheck()'s message.status, in protobuf's JSON mapping (enum names)
  HealthCheckUnknown: 'UNKNOWN',
  HealthCheckServing: 'SERVING',
  HealthCheckNotServing: 'NOT_SERVING',
  HealthCheckServiceUnkown: 'SERVICE_UNKNOWN',
} as const;

/** The script-facing Client: k6's methods only (`invoke` returns the Promise the loader awaits). */
class ScriptClient extends Client {
  asyncInvoke(method: unknown, request: unknown, params?: unknown) {
    return this.vuContext.track(this.invoke(method, request, params, 'client.asyncInvoke'));
  }
  constructor(readonly vuContext: VuContext) {
    super(vuContext);
  }
}

export const grpcModule: ModuleFactory = (vu) => {
  const ClientCtor = function Client(this: unknown) {
    if (!new.target) throw new TypeError("grpc.Client: use 'new grpc.Client()'");
    return new ScriptClient(vu);
  };
  const StreamCtor = function Stream(this: unknown, client: unknown, method: unknown, params?: unknown) {
    if (!new.target) throw new TypeError("grpc.Stream: use 'new grpc.Stream(client, method)'");
    return new GrpcStream(vu, client, method, params);
  };
  const mod = { Client: ClientCtor, Stream: StreamCtor, ...STATUS };
  return moduleExports(mod);
};

/** Fault injection of the gateway simulator: what happens to the next request. */
import { gatewayFaultsSchema, type GatewayFaults } from '../contracts/gateway';

export type Fault = 'fail' | 'timeout' | 'drop-response';

export class FaultInjector {
  private faults: GatewayFaults;

  constructor(
    initial: Partial<GatewayFaults> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.faults = gatewayFaultsSchema.parse(initial);
  }

  get current(): GatewayFaults {
    return structuredClone(this.faults);
  }

  /** Replaces every fault setting; throws a zod error on an invalid one. */
  set(next: unknown): GatewayFaults {
    this.faults = gatewayFaultsSchema.parse(next);
    return this.current;
  }

  /** Before handling: fail or hang. Counters come first, so tests are deterministic. */
  beforeHandling(): Extract<Fault, 'fail' | 'timeout'> | undefined {
    const f = this.faults;
    if (f.failNext > 0) return (f.failNext--, 'fail');
    if (f.timeoutNext > 0) return (f.timeoutNext--, 'timeout');
    if (f.errorRate > 0 && this.random() < f.errorRate) return 'fail';
    if (f.timeoutRate > 0 && this.random() < f.timeoutRate) return 'timeout';
    return undefined;
  }

  /** After an authorization is stored: drop the response instead of sending it. */
  dropResponse(): boolean {
    const f = this.faults;
    if (f.dropResponseNext > 0) return (f.dropResponseNext--, true);
    return f.dropResponseRate > 0 && this.random() < f.dropResponseRate;
  }

  declines(accountId: string): boolean {
    return this.faults.declineAccountIds.includes(accountId);
  }
}

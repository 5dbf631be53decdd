/** Fault injection of the gateway simulator: what happens to the next request (contracts/gateway.ts). */
import { gatewayFaultsSchema, type GatewayFault, type GatewayFaults } from '../contracts/gateway';

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

  /** The fault the next request meets, if any: the scripted list first, then the rates. */
  nextFault(): GatewayFault | undefined {
    const f = this.faults;
    if (f.next.length > 0) return f.next.shift();
    if (this.random() < f.errorRate) return 'fail';
    if (this.random() < f.timeoutRate) return 'timeout';
    if (this.random() < f.dropResponseRate) return 'drop-response';
    return undefined;
  }

  declines(accountId: string): boolean {
    return this.faults.declineAccountIds.includes(accountId);
  }
}

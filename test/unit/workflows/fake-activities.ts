/**
 * Fakes of the saga's activities, typed from the real ones (DatabaseActivities, GatewayActivities): small
 * in-memory models of what PostgreSQL and the gateway simulator do for the saga, so a workflow test asserts
 * the workflow's decisions and compensations with no engine but the time-skipping test server.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DatabaseActivities, GatewayActivities } from '../../../activities';
import type { ReserveFundsInput, ReserveFundsResult } from '../../../activities/funds';
import { applyRules } from '../../../activities/rules';
import type { GatewayAuthorizationResponse } from '../../../contracts/gateway';
import type { AccountState, DecisionReason, PaymentDecided } from '../../../contracts/payment';
import { GATEWAY_REJECTED, GATEWAY_VOIDED } from '../../../workflows/shared';

/** Named moments a test can wait for ("the payment is waiting"), resolved whether it awaits before or after. */
class Milestones {
  private readonly reached = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();

  mark(name: string): void {
    this.reached.add(name);
    for (const wake of this.waiters.get(name) ?? []) wake();
    this.waiters.delete(name);
  }

  when(name: string): Promise<void> {
    if (this.reached.has(name)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(name, [...(this.waiters.get(name) ?? []), resolve]));
  }
}

/** Holds the activities that pass it until the test opens it. */
export class Gate {
  private opened = false;
  private readonly waiting: (() => void)[] = [];

  open(): void {
    this.opened = true;
    for (const wake of this.waiting.splice(0)) wake();
  }

  pass(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}

export interface FakeReservation {
  accountId: string;
  amount: number;
  currency: string;
  status: 'held' | 'authorized' | 'released';
  forced: boolean;
  releaseReason: DecisionReason | 'REFLECTED_IN_SNAPSHOT' | null;
  /** When its payment was authorized: a snapshot as of then or later reflects it. */
  authorizedAt?: string;
}

/**
 * The saga's tables in memory, with the rules of db/ and activities/funds.ts, outcome.ts and audit.ts: one
 * snapshot per account (newest version wins), waits, reservations (idempotent by payment id, released when a
 * snapshot reflects them), the first recorded decision per payment with its decided event, and the audit log.
 */
export class FakeDatabase {
  readonly accountStates = new Map<string, AccountState>();
  readonly waits = new Map<string, { accountId: string; asOfAtLeast: string }>();
  /** The payments whose timeline shows them in review. */
  readonly reviews = new Set<string>();
  readonly reservations = new Map<string, FakeReservation>();
  readonly decisions = new Map<string, PaymentDecided>();
  /** The decided events, as the outbox holds them: one per recorded decision. */
  readonly outbox: { eventId: string; event: PaymentDecided }[] = [];
  readonly audit: { signalId: string; paymentId: string; operator: string; decision: string; outcome: string }[] = [];
  /** When set, recordDecision waits here: a test sends a signal while the decision is being recorded. */
  decisionGate?: Gate;
  /** When set, the first step (beginOrReserve) waits here, having reserved: a signal arrives during it. */
  firstStepGate?: Gate;
  private readonly milestones = new Milestones();

  /** steps: the journal of the saga's activity calls, in order, shared with its gateway. */
  constructor(readonly steps: string[] = []) {}

  /** Stores a snapshot as the bridge does: only a newer version replaces the stored one. */
  recordAccountState(s: AccountState): void {
    const stored = this.accountStates.get(s.accountId);
    if (!stored || stored.version < s.version) this.accountStates.set(s.accountId, s);
  }

  /** Resolves once the payment has registered its wait (the saga is then in AWAITING_ACCOUNT_STATE). */
  waitStarted(paymentId: string): Promise<void> {
    return this.milestones.when(`wait:${paymentId}`);
  }

  /** Resolves once the saga's first step has reserved on fresh state (it then waits at firstStepGate, if set). */
  reservedInFirstStep(paymentId: string): Promise<void> {
    return this.milestones.when(`reserved:${paymentId}`);
  }

  /** Resolves once the saga is recording its decision. */
  decisionStarted(paymentId: string): Promise<void> {
    return this.milestones.when(`decision:${paymentId}`);
  }

  activities(): DatabaseActivities {
    return {
      beginWaiting: async ({ paymentId, accountId, requestedAt }) => {
        this.steps.push('beginWaiting');
        if (!this.waits.has(paymentId)) this.waits.set(paymentId, { accountId, asOfAtLeast: requestedAt });
        this.milestones.mark(`wait:${paymentId}`);
        return this.accountStates.get(accountId);
      },

      beginOrReserve: async ({ paymentId, accountId, requestedAt, amount, currency }) => {
        this.steps.push('beginOrReserve');
        const latest = this.accountStates.get(accountId);
        const fresh = latest !== undefined && Date.parse(latest.asOf) >= Date.parse(requestedAt);
        this.milestones.mark(`wait:${paymentId}`); // the saga is in AWAITING_ACCOUNT_STATE
        if (fresh) {
          const reservation = this.reserve({ paymentId, accountId, amount, currency, force: false });
          this.milestones.mark(`reserved:${paymentId}`);
          await this.firstStepGate?.pass();
          return { ...(latest ? { state: latest } : {}), reservation };
        }
        if (!this.waits.has(paymentId)) this.waits.set(paymentId, { accountId, asOfAtLeast: requestedAt });
        return latest ? { state: latest } : {};
      },

      beginReview: async ({ paymentId }) => {
        this.steps.push('beginReview');
        this.reviews.add(paymentId);
      },

      reserveFunds: async (input) => {
        this.steps.push('reserveFunds');
        return this.reserve(input);
      },

      releaseFunds: async ({ paymentId, reason }) => {
        this.steps.push(`releaseFunds ${reason}`);
        const reservation = this.reservations.get(paymentId);
        if (!reservation || reservation.status === 'released') return false;
        Object.assign(reservation, { status: 'released', releaseReason: reason });
        return true;
      },

      recordedDecision: async ({ paymentId }) => {
        this.steps.push('recordedDecision');
        return this.decisions.get(paymentId);
      },

      recordDecision: async ({ eventId, event }) => {
        this.steps.push(`recordDecision ${event.decision} ${event.reason}`);
        this.milestones.mark(`decision:${event.paymentId}`);
        await this.decisionGate?.pass();
        const first = this.decisions.get(event.paymentId);
        if (first) return first;
        this.decisions.set(event.paymentId, event);
        const reservation = this.reservations.get(event.paymentId);
        if (reservation?.status === 'held') {
          if (event.decision === 'AUTHORIZED')
            Object.assign(reservation, { status: 'authorized', authorizedAt: event.decidedAt });
          else Object.assign(reservation, { status: 'released', releaseReason: event.reason });
        }
        this.waits.delete(event.paymentId);
        this.outbox.push({ eventId, event });
        return event;
      },

      recordOverride: async ({ paymentId, override, outcome }) => {
        this.steps.push(`recordOverride ${outcome}`);
        // One row per signal id: the saga's first outcome for it stands (a retried activity records nothing).
        if (this.audit.some((row) => row.signalId === override.signalId)) return;
        const { signalId, operator, decision } = override;
        this.audit.push({ signalId, paymentId, operator, decision, outcome });
      },
    };
  }

  /** reserveFunds as the database does it: idempotent by payment id, the rules on the newest snapshot. */
  private reserve({ paymentId, accountId, amount, currency, snapshot, force }: ReserveFundsInput): ReserveFundsResult {
    const decided = this.decisions.get(paymentId);
    if (decided) return { reserved: false, reason: decided.reason, available: 0 };
    const existing = this.reservations.get(paymentId);
    if (existing) {
      const { status, forced, releaseReason } = existing;
      return status === 'released'
        ? {
            reserved: false,
            reason: releaseReason && releaseReason !== 'REFLECTED_IN_SNAPSHOT' ? releaseReason : 'INSUFFICIENT_FUNDS',
            available: 0,
          }
        : { reserved: true, available: 0, exceededAvailableFunds: forced };
    }
    this.waits.delete(paymentId);
    if (snapshot) this.recordAccountState(snapshot);
    const latest = this.accountStates.get(accountId);
    if (latest) this.releaseReflected(latest);
    const held = this.reservedNotReflected(accountId, latest?.currency ?? currency);
    const rules = applyRules({ amount, currency, snapshot: latest, reservedNotReflected: held });
    if (!rules.approved && !force) return { reserved: false, reason: rules.reason, available: rules.available };
    this.reservations.set(paymentId, {
      accountId,
      amount,
      currency,
      status: 'held',
      forced: !rules.approved,
      releaseReason: null,
    });
    return { reserved: true, available: rules.available, exceededAvailableFunds: !rules.approved };
  }

  private releaseReflected(snapshot: AccountState): void {
    for (const r of this.reservations.values()) {
      if (r.accountId === snapshot.accountId && r.status === 'authorized' && r.authorizedAt! <= snapshot.asOf)
        Object.assign(r, { status: 'released', releaseReason: 'REFLECTED_IN_SNAPSHOT' });
    }
  }

  private reservedNotReflected(accountId: string, currency: string): number {
    let held = 0;
    for (const r of this.reservations.values())
      if (r.accountId === accountId && r.currency === currency && r.status !== 'released') held += r.amount;
    return held;
  }
}

/**
 * One answer of the gateway to one authorization attempt:
 * - authorize, decline: the issuer's answer (the first one per payment stands; a retry replays it);
 * - fail: a 5xx before anything happened (retried);
 * - reject: a 4xx that retrying cannot fix (GATEWAY_REJECTED, not retried);
 * - drop-response: it authorizes, and the answer is lost on the way back (retried);
 * - hang: it holds the attempt until the test lets it go (releaseHung), then handles it.
 */
export type GatewayAnswer = 'authorize' | 'decline' | 'fail' | 'reject' | 'drop-response' | 'hang';

export interface GatewayRecord {
  status: 'authorized' | 'declined' | 'voided';
  authorizationId: string | null;
}

/**
 * The gateway simulator's behaviour with answers each test scripts (authorize once the script runs out):
 * idempotent by payment id, and a void wins over any later attempt with its key (GATEWAY_VOIDED).
 */
export class ScriptedGateway {
  /** What the gateway holds per payment. */
  readonly records = new Map<string, GatewayRecord>();
  /** Every authorization attempt that reached the gateway, by payment id. */
  readonly attempts: string[] = [];
  readonly voids: string[] = [];
  /** When set, every answer waits here: a test acts while the saga is AUTHORIZING. */
  answerGate?: Gate;
  private readonly script: GatewayAnswer[] = [];
  private readonly hung = new Gate();
  private readonly milestones = new Milestones();
  private readonly inFlight = new Set<Promise<unknown>>();
  private authorizations = 0;

  /** steps: the journal of the saga's activity calls, in order, shared with its database. */
  constructor(readonly steps: string[] = []) {}

  /** The answers to the next attempts, in order. */
  answer(...answers: GatewayAnswer[]): void {
    this.script.push(...answers);
  }

  /** Lets every hung attempt go on: each then finds its payment's key as it is now. */
  releaseHung(): void {
    this.hung.open();
  }

  /** Resolves once an authorization attempt for the payment reached the gateway. */
  attempted(paymentId: string): Promise<void> {
    return this.milestones.when(`attempt:${paymentId}`);
  }

  activities(): GatewayActivities {
    return {
      authorizeAtGateway: (request) => {
        const attempt = this.authorize(request.paymentId);
        this.inFlight.add(attempt);
        void attempt.catch(() => undefined).finally(() => this.inFlight.delete(attempt));
        return attempt;
      },

      voidAtGateway: async ({ paymentId }) => {
        this.steps.push('voidAtGateway');
        this.voids.push(paymentId);
        const record = this.records.get(paymentId);
        if (record?.status === 'declined') return 'nothing to void';
        // A key with no record gets a tombstone, so an attempt still on its way authorizes nothing.
        if (!record) this.records.set(paymentId, { status: 'voided', authorizationId: null });
        else record.status = 'voided';
        return record?.authorizationId ? 'voided' : 'nothing to void';
      },
    };
  }

  /** Resolves once no authorization attempt is in flight, also none whose caller gave up on it. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async authorize(paymentId: string): Promise<GatewayAuthorizationResponse> {
    this.steps.push('authorizeAtGateway');
    this.attempts.push(paymentId);
    this.milestones.mark(`attempt:${paymentId}`);
    const answer = this.script.shift() ?? 'authorize';
    await this.answerGate?.pass();
    if (answer === 'hang') await Promise.race([this.hung.pass(), Context.current().cancelled]);
    if (answer === 'fail') throw new Error('gateway answered 503');
    if (answer === 'reject') throw ApplicationFailure.nonRetryable('gateway rejected the request (400)', GATEWAY_REJECTED);
    const record = this.records.get(paymentId) ?? this.newRecord(paymentId, answer === 'decline');
    if (record.status === 'voided')
      throw ApplicationFailure.nonRetryable('gateway voided this payment; it authorizes nothing more', GATEWAY_VOIDED);
    if (answer === 'drop-response') throw new Error('gateway unreachable: socket hang up');
    return record.status === 'authorized'
      ? { status: 'authorized', authorizationId: record.authorizationId! }
      : { status: 'declined', code: 'do_not_honor' };
  }

  private newRecord(paymentId: string, decline: boolean): GatewayRecord {
    const record: GatewayRecord = decline
      ? { status: 'declined', authorizationId: null }
      : { status: 'authorized', authorizationId: `auth-${++this.authorizations}` };
    this.records.set(paymentId, record);
    return record;
  }
}

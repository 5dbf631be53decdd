-- The api's races, its listing and the retention of decided payments (DESIGN.md §3, §8).

-- Fencing of Idempotency-Key claims: each claim, and each take-over of an expired one, gets its own token.
-- Only the request holding the current token may complete or release the key, so a request that outlived its
-- lease can neither create a second payment nor delete the new owner's claim.
alter table idempotency_keys add column claim_token uuid;

-- The relay prunes published rows by sent_at.
create index outbox_sent on outbox (sent_at) where sent_at is not null;

-- GET /payments, newest first: a client's own payments from its records (no sort of everything it ever
-- asked for), and an operator's list of all of them.
alter table payment_callers add column requested_at timestamptz;
update payment_callers c set requested_at = p.requested_at from payments p where p.payment_id = c.payment_id;
-- A caller whose payment the read model does not hold (yet): listed last, purged by age.
update payment_callers set requested_at = 'epoch' where requested_at is null;
alter table payment_callers alter column requested_at set not null;
create index payment_callers_newest on payment_callers (caller, requested_at desc, payment_id desc);
create index payments_newest on payments (requested_at desc, payment_id desc);

-- Retention of decided payments (PAYMENT_RETENTION): found by their decision time.
create index payments_decided on payments (decided_at) where decision is not null;

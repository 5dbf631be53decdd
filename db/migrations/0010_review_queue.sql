-- The operator console's feeds: the review queue, the merchant search and the stream of every payment's timeline.

-- The review queue reads only undecided payments: few beside the decided ones, which a table of 100k holds.
create index payments_undecided on payments (payment_id) where decision is null;

-- GET /payments?merchantId=, newest first, as payments_by_account serves accountId.
create index payments_by_merchant on payments (merchant_id, requested_at desc, payment_id desc);

-- GET /payment-events reads the timeline of every payment in commit order. Row ids are drawn before commit, so
-- they do not give it; the writing transaction's id does: every row of a transaction whose id is below the
-- oldest still running (pg_snapshot_xmin) has committed or never will, so a reader that stops there misses
-- nothing that commits later. Rows already here get this migration's id (all older than any new row).
alter table payment_timeline add column tx xid8 not null default pg_current_xact_id();
create index payment_timeline_by_tx on payment_timeline (tx, id);

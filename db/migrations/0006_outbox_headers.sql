-- Kafka headers of an outbox row's record (the trace context, `traceparent`), so one payment's trace follows
-- it through Kafka (issue 6).
alter table outbox add column headers jsonb not null default '{}';

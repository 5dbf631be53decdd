-- An operator's replay of a Kafka dead-letter topic is audited too. It concerns a topic, not one payment (a
-- dead letter's key is an account id, and its value may not even parse), so such a row names no payment; every
-- other action still does.
alter table operator_audit alter column payment_id drop not null;
alter table operator_audit drop constraint operator_audit_action_check;
alter table operator_audit add constraint operator_audit_action_check
  check (action in ('override', 'redeliver_webhook', 'replay_dead_letters'));
alter table operator_audit add constraint operator_audit_payment_of_action
  check ((payment_id is null) = (action = 'replay_dead_letters'));
alter table operator_audit drop constraint operator_audit_outcome_check;
alter table operator_audit add constraint operator_audit_outcome_check
  check (outcome in ('requested', 'applied', 'ignored_already_decided', 'rejected_already_decided', 'redelivered', 'replayed'));

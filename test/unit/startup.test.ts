import assert from 'node:assert/strict';
import { kafkaUnavailable, postgresUnavailable, temporalUnavailable, waitForEngine } from '../../roles/startup';

describe('roles/startup: a role starting while an engine restarts waits for it', () => {
  it('retries while the engine is unavailable, then returns what the connection gave', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const result = await waitForEngine(
      'PostgreSQL',
      async () => {
        if (++calls < 3) throw refused;
        return 'connected';
      },
      postgresUnavailable,
    );
    assert.equal(result, 'connected');
    assert.equal(calls, 3);
  });

  it('fails at once on an error that waiting cannot fix', async () => {
    let calls = 0;
    const denied = Object.assign(new Error('password authentication failed for user "paysaga"'), { code: '28P01' });
    await assert.rejects(
      waitForEngine('PostgreSQL', async () => (calls++, Promise.reject(denied)), postgresUnavailable),
      /password authentication failed/,
    );
    assert.equal(calls, 1);
  });

  it('gives up after its timeout', async () => {
    const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    await assert.rejects(
      waitForEngine('PostgreSQL', () => Promise.reject(refused), postgresUnavailable, 300),
      /refused/,
    );
  });

  it('knows unavailability by the errors the clients really throw', () => {
    const native = Object.assign(
      new Error(
        'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", 127.0.0.1:7233, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))',
      ),
      { name: 'TransportError' },
    );
    assert.equal(temporalUnavailable(native), true);
    assert.equal(temporalUnavailable(new Error('Namespace default is not found')), false);
    assert.equal(postgresUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' })), true);
    assert.equal(
      postgresUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
      true,
    );
    assert.equal(postgresUnavailable(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' })), false);
    assert.equal(
      kafkaUnavailable(Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSNonRetriableError' })),
      true,
    );
    assert.equal(
      kafkaUnavailable(
        Object.assign(new Error('not the leader'), { name: 'KafkaJSProtocolError', type: 'NOT_LEADER_FOR_PARTITION' }),
      ),
      true,
    );
    assert.equal(
      kafkaUnavailable(
        Object.assign(new Error('This server does not host this topic-partition'), {
          name: 'KafkaJSProtocolError',
          type: 'UNKNOWN_TOPIC_OR_PARTITION',
        }),
      ),
      false,
    );
  });
});

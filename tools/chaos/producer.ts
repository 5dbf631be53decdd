/**
 * A Kafka producer that outlasts a broker restart: a send that fails is retried with a new producer until a
 * deadline, as an upstream system that must not lose its record does. Idempotent, acks from all replicas.
 */
import { type Kafka, type Message, type Producer } from 'kafkajs';
import { atLeastOnceProducer } from '../../kafka/acknowledged-batch';

export class ResilientProducer {
  private producer?: Producer;

  constructor(private readonly kafka: Kafka) {}

  async send(topic: string, messages: Message[], giveUpAfterMs = 90_000): Promise<void> {
    const deadline = Date.now() + giveUpAfterMs;
    for (;;) {
      try {
        this.producer ??= await this.connect();
        await this.producer.send({ topic, acks: -1, messages });
        return;
      } catch (err) {
        const broken = this.producer;
        this.producer = undefined;
        await broken?.disconnect().catch(() => undefined);
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  private async connect(): Promise<Producer> {
    const producer = atLeastOnceProducer(this.kafka);
    await producer.connect();
    return producer;
  }
}

"""The consumer of ``sac.dead-letter``: sacinfra's ``ReliableConsumer`` (success acks, an
error requeues, a database outage holds the message unacked and retries it) on the raw
message: its bytes, all its headers (``x-death``…) and properties, whatever its content
type (nameko's own consumer decodes the body first, and a body it cannot decode would
stop the consumer)."""
from __future__ import annotations

from functools import partial

from kombu import Queue
from nameko.messaging import QueueConsumer

from sacinfra.consumers import ReliableConsumer
from sacinfra.topology import DLQ

#: the queue the topology declares (sacinfra.topology, deploy/k8s/base/rabbitmq): consumed,
#: never declared here (no other arguments, no configure permission needed)
DEAD_LETTER_QUEUE = Queue(DLQ, no_declare=True)


class RawQueueConsumer(QueueConsumer):
    """nameko's shared queue consumer, handing each provider the undecoded message."""

    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            consumer = consumer_cls(queues=[provider.queue],
                                    on_message=partial(self._raw, provider), accept=self.accept)
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()

    def _raw(self, provider, message):
        self.handle_message(provider, message.body, message)


class DeadLetterConsumer(ReliableConsumer):
    """The worker gets ``(body bytes, headers, properties)``."""

    queue_consumer = RawQueueConsumer()

    def worker_args(self, body, message) -> tuple:
        properties = dict(message.properties or {})
        if isinstance(body, str):  # py-amqp decodes a body that names its content encoding
            body = body.encode(properties.get("content_encoding") or "utf-8", "surrogateescape")
        return bytes(body or b""), dict(message.headers or {}), properties


consume_dead_letters = partial(DeadLetterConsumer.decorator, DEAD_LETTER_QUEUE)

"""SurveysService: so far the opt-out list (citizens who opposed surveys or contact, or
cancelled their data) and ``may_contact``; sampling and answers come with their own issue.
Thin: logic is in handlers."""
from nameko.rpc import rpc

from sacinfra.service import SqlService, reliable_event_handler

from . import handlers


class SurveysService(SqlService):
    name = "surveys"

    @reliable_event_handler("citizens", "citizen_opposed")
    def handle_citizen_opposed(self, envelope):
        handlers.record_opposition(self.db, envelope)

    @reliable_event_handler("citizens", "citizen_cancelled")
    def handle_citizen_cancelled(self, envelope):
        handlers.record_cancellation(self.db, envelope)

    @rpc
    def may_contact(self, citizen_number):
        return handlers.may_contact(self.db, citizen_number)

    @rpc
    def arco_access(self, citizen_numbers):
        return handlers.arco_access(self.db, citizen_numbers)

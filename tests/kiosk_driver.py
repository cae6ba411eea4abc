"""The kiosk controller in miniature, for tests without Qt: events into the flow, effects
into the services, the services' events back into the flow."""

from __future__ import annotations

from dataclasses import dataclass, field

from gui.flow import Event, Model, Screen, Wipe, step
from gui.services import KioskServices


@dataclass
class Kiosk:
    services: KioskServices
    model: Model
    results: list[Event] = field(default_factory=list)  # every event the services returned
    models: list[Model] = field(default_factory=list)  # every model the flow went through

    def send(self, event: Event, expect: Screen | None = None) -> Model:
        queue: list[Event] = [event]
        while queue:
            self.model, effects = step(self.model, queue.pop(0))
            self.models.append(self.model)
            for effect in effects:
                result = self.services.run(effect)
                if isinstance(effect, Wipe):
                    assert result is None
                if result is not None:
                    self.results.append(result)
                    queue.append(result)
        if expect is not None:
            assert self.model.screen is expect, self.model
        return self.model

    def screen(self) -> Screen:
        """A method, not a property: the screen changes under every send()."""
        return self.model.screen

"""The pure domain of sishuang (四双): aggregates, events, policies, application service.

No HTTP, no SQL of our own, no clock calls: time comes in through a Clock.
"""

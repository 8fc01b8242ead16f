"""Delivering messages: the worker (api.delivery.worker) and the SMS gateways
(api.delivery.gateway). docs/notifications.md says how to configure and run them."""

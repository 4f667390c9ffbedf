"""Network code shared by the stages: politeness, the network probe, transport, retries."""

// Integration tests wait on real brokers, databases and retry schedules; jest ignores a per-project testTimeout.
jest.setTimeout(120_000);

"""The documents a 督查室 runs on: the 督查通报, the 督办通知单, the 任务台账 (export and import)."""

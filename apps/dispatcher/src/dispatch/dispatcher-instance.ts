import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';

/**
 * This dispatcher process, as the owner written on the partition leases and FIFO step claims it takes:
 * one name for both, so a lease and a claim left by one process are recognisably its own.
 */
@Injectable()
export class DispatcherInstance {
  readonly id = `dispatcher:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export * from './health-event';
export * from './outbox/health-event.outbox';
export * from './endpoints/health-event-endpoint.repository';
export * from './dispatch/health-event-delivery.repository';
export * from './dispatch/health-event.signer';
export * from './dispatch/health-event.sender';
export * from './dispatch/health-event.dispatcher';
export * from './health-events.module';

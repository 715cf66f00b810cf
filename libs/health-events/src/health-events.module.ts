import { Module } from '@nestjs/common';
import { HealthEventDeliveryRepository } from './dispatch/health-event-delivery.repository';
import { HealthEventDispatcher } from './dispatch/health-event.dispatcher';
import { HealthEventSender } from './dispatch/health-event.sender';
import { HealthEventSigner } from './dispatch/health-event.signer';
import { HealthEventEndpointRepository } from './endpoints/health-event-endpoint.repository';
import { HealthEventOutbox } from './outbox/health-event.outbox';

/** The outbox, endpoints and deliveries of health events; needs AppConfig and DatabaseModule in scope. */
@Module({
  providers: [HealthEventOutbox, HealthEventEndpointRepository, HealthEventDeliveryRepository, HealthEventSigner],
  exports: [HealthEventOutbox, HealthEventEndpointRepository, HealthEventDeliveryRepository, HealthEventSigner],
})
export class HealthEventsModule {}

/**
 * Runs the dispatcher in this process (oauth-service does; one per replica is fine, they share the work). Needs
 * the Clock in scope (the global PlatformsModule provides it).
 */
@Module({
  imports: [HealthEventsModule],
  providers: [HealthEventSender, HealthEventDispatcher],
  exports: [HealthEventsModule],
})
export class HealthEventDispatchModule {}

import { consumeEvents } from '../../../src/events/events-consumer'
export const x = consumeEvents

/** Time in Herald is integer microseconds since the Unix epoch: exact in a double until year 2255. */
export type Micros = number;

export interface Clock {
  nowMicros(): Micros;
}

export const systemClock: Clock = {
  nowMicros: () => Date.now() * 1000,
};

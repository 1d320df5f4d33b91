/** A server under test did not answer what the others do: nothing is measured. */
export class VerificationError extends Error {}

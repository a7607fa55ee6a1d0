/**
 * Content address of a bulky payload (scenario cases, predictions, a usage batch's records) kept
 * in the producing service's payload store: events carry this instead of the payload itself.
 */
export interface PayloadReference {
  /** sha256 (hex) of the payload's JSON serialisation. */
  sha256: string;
  size_bytes: number;
}

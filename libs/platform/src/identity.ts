const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The one canonical form of an actor, in the spirit of Unicode's NFKC_Casefold: compatibility
 * forms folded (fullwidth `ｅｖｅ` is `eve`), invisible characters (zero-width spaces, soft hyphens)
 * dropped, case folded (`EVE`, `Eve` are `eve`; upper then lower also folds `ß` to `ss`), ends trimmed.
 * Look-alikes from other scripts (Cyrillic `е`) are not folded: NFKC keeps them distinct.
 */
export function canonicalActor(actor: string): string {
  return actor.normalize('NFKC').replace(DEFAULT_IGNORABLE, '').toUpperCase().toLowerCase().normalize('NFKC').trim();
}

/** Whether two actors are the same person (compared in canonical form). */
export const sameActor = (a: string | null | undefined, b: string | null | undefined): boolean =>
  a != null && b != null && canonicalActor(a) === canonicalActor(b);

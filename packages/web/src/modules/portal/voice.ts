import { useSession } from '../../auth/session.ts';

/** How a portal page speaks: to the patient ("your"), or to a carer about the person they act for. */
export interface PortalVoice {
  /** The name of the person a carer acts for; undefined for the patient themselves. */
  actingFor?: string | undefined;
  /** The h1's caption for a carer: "Acting for Kenneth Ward". */
  caption?: string | undefined;
  /** "you" or "Kenneth Ward" */
  you: string;
  /** "your" or "Kenneth Ward’s" */
  your: string;
  /** "You" or "Kenneth Ward", at the start of a sentence. */
  You: string;
  /** "Your" or "Kenneth Ward’s", at the start of a sentence. */
  Your: string;
  /** "you have" or "Kenneth Ward has" */
  youHave: string;
}

export function portalVoice(actingFor: string | undefined): PortalVoice {
  return actingFor
    ? {
        actingFor,
        caption: `Acting for ${actingFor}`,
        you: actingFor,
        your: `${actingFor}’s`,
        You: actingFor,
        Your: `${actingFor}’s`,
        youHave: `${actingFor} has`,
      }
    : { you: 'you', your: 'your', You: 'You', Your: 'Your', youHave: 'you have' };
}

/** The voice for the signed-in person: a carer's pages speak of the person they act for. */
export function usePortalVoice(): PortalVoice {
  const session = useSession();
  return portalVoice(session?.kind === 'related-person' ? session.actingFor?.name : undefined);
}

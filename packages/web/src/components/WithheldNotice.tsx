import { breakGlass, declareRelationship, type ActiveAccess } from '../api/access.ts';
import { useSession } from '../auth/session.ts';
import { MIN_REASON, ReasonForm } from './ReasonForm.tsx';

/** RBAC R8010 clerical: sees patients' details and appointments only, whatever their reason (docs/ACCESS.md). */
export const CLERICAL_ROLE = 'R8010';

/**
 * Says that part of the record is not shared with the viewer's organisation, without saying
 * what, and offers staff the ways in: when they see nothing, declaring a care relationship (need
 * to know); and emergency access (break-glass), which clerical staff are not offered (their role
 * limits what they see, whatever their reason). Neither is offered again while it is on (`active`).
 */
export function WithheldNotice({
  patientId,
  onUnlocked,
  wholeRecord = false,
  active = {},
}: {
  patientId: string;
  onUnlocked: () => void;
  wholeRecord?: boolean;
  active?: ActiveAccess;
}) {
  const session = useSession();
  const staff = session?.kind === 'staff';
  // Emergency access opens nothing more to clerical staff: their role limits what they see.
  const clerical = staff && session.roleCode === CLERICAL_ROLE;
  if (clerical && !wholeRecord) {
    return (
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          Reception and booking staff see a patient’s details and appointments only. Clinical information is not shown.
        </p>
      </div>
    );
  }
  return (
    <div className="nhsuk-warning-callout" role="region" aria-labelledby="withheld-heading">
      <h2 className="nhsuk-warning-callout__label" id="withheld-heading">
        <span role="text">
          <span className="nhsuk-u-visually-hidden">Important: </span>
          Some information is not shared with your organisation
        </span>
      </h2>
      <p>
        {wholeRecord
          ? 'This patient’s record is not shared with your organisation, or you do not have a care relationship with them.'
          : 'Parts of this record are held by other organisations and are not shared with your organisation. What you see here may be incomplete.'}
      </p>
      {/* Seeing part of the record means a reason to see it already: declaring would add nothing. */}
      {staff && wholeRecord && !active.declared && !active.breakGlass && (
        <DeclareRelationship patientId={patientId} onDeclared={onUnlocked} />
      )}
      {staff && !clerical && !active.breakGlass && <BreakGlass patientId={patientId} onUnlocked={onUnlocked} />}
    </div>
  );
}

function DeclareRelationship({ patientId, onDeclared }: { patientId: string; onDeclared: () => void }) {
  return (
    <details className="nhsuk-details nhsuk-u-margin-bottom-3" id="declare-relationship">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">I am caring for this patient: declare a care relationship</span>
      </summary>
      <div className="nhsuk-details__text">
        <p>
          Do this when you are caring for this patient but their record does not show it yet, for example a walk-in or a
          patient you are covering for a colleague.
        </p>
        <ul>
          <li>
            For 24 hours you can see what your organisation holds about them and what other organisations share with it.
          </li>
          <li>Your name and your reason are recorded, your privacy officer is told, and the patient can see it.</li>
          <li>
            It does not override the patient’s choices about who sees their record. In an emergency, get emergency
            access instead.
          </li>
        </ul>
        <ReasonForm
          id="declare-reason"
          label="Why are you caring for this patient?"
          hint={`${MIN_REASON} characters or more, for example: "Walk-in at the surgery, dressing needs changing"`}
          missing="Enter why you are caring for this patient"
          submitLabel="Declare a care relationship"
          failureTitle="The care relationship was not declared"
          onSubmit={async (reason) => {
            await declareRelationship(patientId, reason);
            onDeclared();
          }}
        />
      </div>
    </details>
  );
}

function BreakGlass({ patientId, onUnlocked }: { patientId: string; onUnlocked: () => void }) {
  return (
    <details className="nhsuk-details nhsuk-u-margin-bottom-0" id="break-glass">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Get emergency access (break-glass)</span>
      </summary>
      <div className="nhsuk-details__text">
        <p>
          Only do this if the patient needs care now and you cannot get their consent. Access lasts 4 hours. Your name,
          your reason and everything you look at are recorded, your privacy officer is told, and the patient can see it.
        </p>
        <ReasonForm
          id="break-glass-reason"
          label="Why do you need emergency access?"
          hint={`${MIN_REASON} characters or more, for example: "Unconscious in A&E, need medication history"`}
          missing="Enter the reason you need emergency access"
          submitLabel="Get emergency access"
          failureTitle="Emergency access was not given"
          warning
          onSubmit={async (reason) => {
            await breakGlass(patientId, reason);
            onUnlocked();
          }}
        />
      </div>
    </details>
  );
}

import { useMutation } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { endDeclaredRelationship, type ActiveAccess } from '../../../api/access.ts';
import { ErrorMessage } from '../../../components/feedback.tsx';
import { untilWhen } from '../../../lib/dates.ts';

/**
 * Tells a member of staff that they see this record because they declared a care relationship or
 * got emergency access, until when, and lets them end a declared relationship early (emergency
 * access has no early end: it simply runs out).
 */
export function CareAccessBanner({ active, onEnded }: { active: ActiveAccess; onEnded: () => void }) {
  const ending = useMutation({ mutationFn: endDeclaredRelationship, onSuccess: onEnded });
  const { declared, breakGlass } = active;
  if (!declared && !breakGlass) {
    return null;
  }
  return (
    <div className="nhsuk-notification-banner cw-access-banner" role="region" aria-labelledby="care-access-title">
      <div className="nhsuk-notification-banner__header">
        <h2 className="nhsuk-notification-banner__title" id="care-access-title">
          Important
        </h2>
      </div>
      <div className="nhsuk-notification-banner__content">
        {breakGlass && (
          <>
            <p className="nhsuk-notification-banner__heading">
              Emergency access is on until {untilWhen(breakGlass.expiresAt)}
            </p>
            <p>
              Your reason: “{breakGlass.reason}”. Everything you look at is recorded, your privacy officer has been
              told, and the patient can see it.
            </p>
          </>
        )}
        {declared && (
          <>
            <p className="nhsuk-notification-banner__heading">
              You declared a care relationship with this patient until {untilWhen(declared.expiresAt)}
            </p>
            <p>
              Your reason: “{declared.reason}”. It is recorded, your privacy officer has been told, and the patient can
              see it. End it when you no longer care for this patient.
            </p>
            {ending.error && <ErrorMessage error={ending.error} title="The care relationship was not ended" />}
            <Button secondary type="button" disabled={ending.isPending} onClick={() => ending.mutate(declared.id)}>
              End the care relationship now
            </Button>
          </>
        )}
      </div>
    </div>
  );
}

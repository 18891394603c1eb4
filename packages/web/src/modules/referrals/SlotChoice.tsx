import { useQuery } from '@tanstack/react-query';
import { Empty } from '../../components/feedback.tsx';
import { QueryStatus } from '../../components/QueryStatus.tsx';
import { slotsQuery, type Priority } from './api.ts';
import { Radios } from './fields.tsx';
import { outsideWindow, slotTime } from './vocabulary.ts';

/**
 * The chosen service's free slots, soonest first. The default is the first free slot inside the
 * priority's booking window (the server's choice); a slot past the window is marked, and the server
 * refuses it (H-250: the warning is never hidden).
 */
export function SlotChoice({
  serviceId,
  priority,
  value,
  onChange,
}: {
  serviceId: string;
  priority: Priority;
  value: string;
  onChange: (slotId: string) => void;
}) {
  const slots = useQuery(slotsQuery(serviceId));
  const list = slots.data?.slots ?? [];
  return (
    <>
      <QueryStatus query={slots} what="free appointments" errorTitle="Free appointments could not be loaded" />
      {slots.status === 'success' && list.length === 0 && (
        <Empty>
          This service has no free appointments. Send anyway to put the referral on the appointment slot issues list, or
          choose another service.
        </Empty>
      )}
      {list.length > 0 && (
        <Radios
          name="slot"
          label="Appointment"
          legendSize="m"
          value={value}
          onChange={onChange}
          options={[
            { value: '', label: 'The first free appointment inside the booking window' },
            ...list.map((slot) => ({
              value: slot.id!,
              label: (
                <>
                  {slotTime(slot.start)}
                  {outsideWindow(slot.start, priority) && (
                    <strong className="nhsuk-tag nhsuk-tag--red nhsuk-u-margin-left-2">After the booking window</strong>
                  )}
                </>
              ),
            })),
          ]}
        />
      )}
    </>
  );
}

/**
 * Admission notices (issue 9's proof of the platform; issue 12 grows full admission alerts): when an
 * inpatient Encounter is created — an HL7 v2 A01 over MLLP, or a hospital's FHIR write — the
 * patient's registered GP is told, urgently, through the notifications service.
 */
import { defineModule } from '../modules/contract.ts';
import { admissionReaction } from './reaction.ts';

export { ADMISSION_SMS, isInpatient, registeredGps } from './reaction.ts';

export const admissionNoticeModule = defineModule({
  name: 'admission-notice',
  title: 'Admission notices to the GP',
  requires: ['notifications'],
  setup: (context) => {
    const notifications = context.use('notifications');
    notifications.registerKind({
      kind: 'admission-notice',
      title: 'Your patients admitted to hospital',
      defaultChannels: ['inbox', 'sms'],
    });
    return { reactions: [admissionReaction(notifications, context.log)] };
  },
});

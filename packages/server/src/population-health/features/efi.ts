/**
 * The electronic frailty index (eFI; Clegg et al., Age and Ageing 2016): the share of 36 deficits a
 * person has, from their coded record. Categories: fit (≤ 0.12), mild (≤ 0.24), moderate (≤ 0.36),
 * severe (> 0.36). Coded deficits come from Conditions by SNOMED CT concept (the list below); three
 * are derived from the record: polypharmacy (5 or more repeat medicines), requiring care (a social
 * care assessment in the last two years) and being housebound (district-nurse home visits in the last
 * year). Deficits the record cannot show count as absent, so the eFI can only under-read (H-142).
 * Codes marked `unverified` were matched from memory and must be checked against the eFI code list
 * before production use (docs/RISK-MODEL.md).
 */
export const EFI_DEFICITS = [
  'activity-limitation',
  'anaemia',
  'arthritis',
  'atrial-fibrillation',
  'cerebrovascular-disease',
  'chronic-kidney-disease',
  'diabetes',
  'dizziness',
  'dyspnoea',
  'falls',
  'foot-problems',
  'fragility-fracture',
  'hearing-impairment',
  'heart-failure',
  'heart-valve-disease',
  'housebound',
  'hypertension',
  'hypotension-syncope',
  'ischaemic-heart-disease',
  'memory-cognitive-problems',
  'mobility-transfer-problems',
  'osteoporosis',
  'parkinsonism-tremor',
  'peptic-ulcer',
  'peripheral-vascular-disease',
  'polypharmacy',
  'requires-care',
  'respiratory-disease',
  'skin-ulcer',
  'sleep-disturbance',
  'social-vulnerability',
  'thyroid-disease',
  'urinary-incontinence',
  'urinary-system-disease',
  'visual-impairment',
  'weight-loss-anorexia',
] as const;

export type DeficitKey = (typeof EFI_DEFICITS)[number];

/** SNOMED CT concept → deficit. The first eight are the model's long-term conditions (checked). */
const CODED: readonly [string, DeficitKey, 'checked' | 'unverified'][] = [
  ['49436004', 'atrial-fibrillation', 'checked'],
  ['230690007', 'cerebrovascular-disease', 'checked'],
  ['709044004', 'chronic-kidney-disease', 'checked'],
  ['44054006', 'diabetes', 'checked'],
  ['84114007', 'heart-failure', 'checked'],
  ['38341003', 'hypertension', 'checked'],
  ['52448006', 'memory-cognitive-problems', 'checked'],
  ['13645005', 'respiratory-disease', 'checked'],
  ['195967001', 'respiratory-disease', 'checked'],
  ['271737000', 'anaemia', 'unverified'],
  ['396275006', 'arthritis', 'unverified'],
  ['69896004', 'arthritis', 'unverified'],
  ['404640003', 'dizziness', 'unverified'],
  ['267036007', 'dyspnoea', 'unverified'],
  ['161898004', 'falls', 'unverified'],
  ['15188001', 'hearing-impairment', 'unverified'],
  ['271594007', 'hypotension-syncope', 'unverified'],
  ['414545008', 'ischaemic-heart-disease', 'unverified'],
  ['64859006', 'osteoporosis', 'unverified'],
  ['49049000', 'parkinsonism-tremor', 'unverified'],
  ['13200003', 'peptic-ulcer', 'unverified'],
  ['400047006', 'peripheral-vascular-disease', 'unverified'],
  ['399912005', 'skin-ulcer', 'unverified'],
  ['193462001', 'sleep-disturbance', 'unverified'],
  ['40930008', 'thyroid-disease', 'unverified'],
  ['165232002', 'urinary-incontinence', 'unverified'],
  ['397540003', 'visual-impairment', 'unverified'],
  ['89362005', 'weight-loss-anorexia', 'unverified'],
];

const BY_CODE = new Map<string, DeficitKey[]>();
for (const [code, key] of CODED) {
  BY_CODE.set(code, [...(BY_CODE.get(code) ?? []), key]);
}

export function deficitsOfCondition(snomed: string): readonly DeficitKey[] {
  return BY_CODE.get(snomed) ?? [];
}

export type FrailtyCategory = 'fit' | 'mild' | 'moderate' | 'severe';

/** The eFI's published cut-offs. */
export function frailtyCategory(efi: number): FrailtyCategory {
  if (efi <= 0.12) {
    return 'fit';
  }
  if (efi <= 0.24) {
    return 'mild';
  }
  if (efi <= 0.36) {
    return 'moderate';
  }
  return 'severe';
}

/** eFI from the set of deficits present (each counted once). */
export function efiOf(deficits: ReadonlySet<DeficitKey>): number {
  return deficits.size / EFI_DEFICITS.length;
}

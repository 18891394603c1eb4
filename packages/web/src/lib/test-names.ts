/**
 * The names clinicians and patients use for common tests and measurements, by LOINC code. LOINC's
 * own display names are precise but long ("Glomerular filtration rate/1.73 sq M.predicted [Volume
 * Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)"); a GP scans for "eGFR". British
 * spelling, as NHS.UK writes them. A code not listed keeps the record's own text.
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  // Vital signs
  '85354-9': 'Blood pressure',
  '8480-6': 'Systolic blood pressure',
  '8462-4': 'Diastolic blood pressure',
  '8867-4': 'Heart rate',
  '59408-5': 'Oxygen saturation (SpO2)',
  '2708-6': 'Oxygen saturation (SpO2)',
  '9279-1': 'Breathing rate',
  '8310-5': 'Temperature',
  '29463-7': 'Weight',
  '8302-2': 'Height',
  '39156-5': 'Body mass index (BMI)',
  '72514-3': 'Pain score',
  // Kidney
  '33914-3': 'eGFR',
  '62238-1': 'eGFR',
  '69405-9': 'eGFR',
  '48642-3': 'eGFR',
  '48643-3': 'eGFR',
  '98979-8': 'eGFR',
  '2160-0': 'Creatinine',
  '38483-4': 'Creatinine',
  '6299-2': 'Urea',
  '3094-0': 'Urea',
  '14959-1': 'Urine albumin:creatinine ratio (ACR)',
  '9318-7': 'Urine albumin:creatinine ratio (ACR)',
  // Diabetes
  '4548-4': 'HbA1c',
  '17856-6': 'HbA1c',
  '2339-0': 'Blood glucose',
  '2345-7': 'Blood glucose',
  // Lipids
  '14647-2': 'Total cholesterol',
  '2093-3': 'Total cholesterol',
  '2085-9': 'HDL cholesterol',
  '14646-4': 'HDL cholesterol',
  '18262-6': 'LDL cholesterol',
  '13457-7': 'LDL cholesterol',
  '2089-1': 'LDL cholesterol',
  '2571-8': 'Triglycerides',
  // Electrolytes, liver, blood count
  '2951-2': 'Sodium',
  '2947-0': 'Sodium',
  '2823-3': 'Potassium',
  '6298-4': 'Potassium',
  '2075-0': 'Chloride',
  '2069-3': 'Chloride',
  '17861-6': 'Calcium',
  '49765-1': 'Calcium',
  '20565-8': 'Bicarbonate',
  '1742-6': 'ALT (liver)',
  '1920-8': 'AST (liver)',
  '1975-2': 'Bilirubin',
  '1751-7': 'Albumin',
  '718-7': 'Haemoglobin',
  '6690-2': 'White blood cells',
  '777-3': 'Platelets',
  '789-8': 'Red blood cells',
};

/** The short name for a LOINC code, if it has one. */
export function shortTestName(loincCode: string | undefined): string | undefined {
  return loincCode ? SHORT_NAMES[loincCode] : undefined;
}

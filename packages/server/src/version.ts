export const SOFTWARE = { name: 'CareWeave', version: '0.1.0' };

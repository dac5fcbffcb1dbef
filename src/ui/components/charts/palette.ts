/**
 * Series colours of the studio's charts, chosen for the dark theme (contrast ≥ 3:1 against the surface colour
 * #122028 for lines) and distinguishable in the common colour-vision deficiencies by also varying dash patterns
 * where two series share a chart with related meaning (training solid, validation dashed).
 */
export const TRAIN_COLOR = '#4fd1c5';
export const VALIDATION_COLOR = '#f6ad55';
export const LR_COLOR = '#b794f4';
export const GRAD_COLOR = '#f687b3';

/** One colour per modality, in config order (cycled beyond eight). */
export const MODALITY_COLORS = ['#63b3ed', '#f6ad55', '#68d391', '#f687b3', '#b794f4', '#faf089', '#fc8181', '#81e6d9'];

export const modalityColor = (i: number) => MODALITY_COLORS[i % MODALITY_COLORS.length];

export const VALIDATION_DASH = [6, 4];

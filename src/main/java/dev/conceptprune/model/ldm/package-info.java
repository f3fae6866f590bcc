/**
 * Single-file SD 1.x / 2.x checkpoints in the original LDM layout and SDXL base ones in its SGM
 * variant: the family and structure read from tensor names and shapes
 * ({@link dev.conceptprune.model.ldm.LdmLayout}), the name and
 * shape correspondence with diffusers in both directions as one table
 * ({@link dev.conceptprune.model.ldm.LdmConverter}), and the diffusers configs the file implies
 * ({@link dev.conceptprune.model.ldm.LdmConfigs}). Nothing here reads tensor data.
 */
package dev.conceptprune.model.ldm;

#!/usr/bin/env bash
# Regenerates the BGZF goldens BgzfTest compares against, with bgzip and samtools themselves
# (Debian packages 'tabix' and 'samtools'). Run from this directory. The input is S. cerevisiae
# chromosome I from ../shared/corpus (Debian r-bioc-biostrings, data yeastSEQCHR1; see SOURCES.md
# there): 230 kb, so bgzip writes four blocks and the .gzi lists three.
set -euo pipefail
shared=../../../../../../shared/corpus/genomes
zcat "$shared/yeast_chrI.fa.gz" | bgzip -c > yeast_chrI.fa.gz
rm -f yeast_chrI.fa.gz.fai yeast_chrI.fa.gz.gzi
samtools faidx yeast_chrI.fa.gz   # writes both yeast_chrI.fa.gz.fai and yeast_chrI.fa.gz.gzi

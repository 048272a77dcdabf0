#!/usr/bin/env bash
# Regenerates the golden .fai files FastaIndexTest compares against, with samtools itself.
# Run from this directory with samtools installed (Debian package 'samtools'); the inputs are the
# decompressed genomes of sample-corpus/ and ../shared/corpus, the CRLF variant made as below.
set -euo pipefail
corpus=../../../../../sample-corpus
shared=../../../../../../shared/corpus/genomes
tmp=$(mktemp -d)
zcat "$corpus/lambda_phage.fa.gz" > "$tmp/lambda_phage.fa"         # 70 bases a line
zcat "$corpus/human_chrM.fa.gz" > "$tmp/human_chrM.fa"             # 60
zcat "$corpus/phiX174_variants.fa.gz" > "$tmp/phiX174_variants.fa" # 80, 6 records
zcat "$shared/celegans_chrX.fa.gz" > "$tmp/celegans_chrX.fa"       # 50
sed 's/$/\r/' "$tmp/human_chrM.fa" > "$tmp/human_chrM_crlf.fa"     # CRLF line endings
for f in lambda_phage human_chrM phiX174_variants celegans_chrX human_chrM_crlf; do
  samtools faidx "$tmp/$f.fa"
  cp "$tmp/$f.fa.fai" "./$f.fa.fai"
done
rm -r "$tmp"

#!/bin/bash
# What needs a CUDA GPU, in one script: the grader's GPU paths, every kept
# submission of the Triton exercises graded on the GPU, the three references
# graded with their performance sections, and the kernel benchmark. Run from the
# repository root on a machine with a GPU; logs go to ${OUT:-gpu-check}/.
#
#   bash benchmarks/gpu_check.sh                        # all four parts: about 11 minutes on an H100
#   bash benchmarks/gpu_check.sh references benchmark   # some of them
#
# Most of the time goes to compiling and autotuning. Exits non-zero if a part failed.
set -u
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD GRADER_SUITE_JOBS=${GRADER_SUITE_JOBS:-8}
out=${OUT:-gpu-check}
mkdir -p "$out"
failed=0
step() { echo; echo "=== $* ($(date +%T))"; }

paths() {
  step "the grader's GPU paths: wire, worker, policy"
  python3 -m pytest -q tests/test_wire.py tests/test_worker.py tests/test_policy.py 2>&1 | tail -3
  return "${PIPESTATUS[0]}"
}

submissions() {
  step "every kept submission of the Triton exercises, graded on the GPU"
  python3 -m pytest -q -n 3 tests/test_exercises.py -k "triton_softmax or triton_matmul or flash_attention" 2>&1 |
    tail -5
  return "${PIPESTATUS[0]}"
}

references() {
  local exercise status=0
  for exercise in triton_softmax triton_matmul flash_attention; do
    step "the reference of $exercise, graded"
    python3 -m grader exercise "exercises/$exercise" --submission "solutions/$exercise/$exercise.py" \
      --report "json:$out/$exercise.json" > "$out/$exercise.txt" 2>&1 || status=1
    grep -A12 "^Performance" "$out/$exercise.txt"
    grep "^Score" "$out/$exercise.txt"
  done
  return $status
}

benchmark() {
  step "the reference kernels against torch"
  python3 benchmarks/kernels.py 2>&1 | tee "$out/kernels.txt"
  return "${PIPESTATUS[0]}"
}

for part in "${@:-paths submissions references benchmark}"; do
  for name in $part; do
    case $name in
      paths | submissions | references | benchmark) "$name" || { failed=1; echo "!!! $name failed"; } ;;
      *) echo "unknown part: $name (paths, submissions, references, benchmark)"; exit 2 ;;
    esac
  done
done
exit $failed

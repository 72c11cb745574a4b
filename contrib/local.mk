# Nothing here is built by default.
EXTRA_DIST += contrib/install-deps contrib/bench contrib/update-lists.sh \
	contrib/demo contrib/report-screenshot.sh contrib/report-example.png
# Scheduled scrubs (contrib/README.schedule); tests/e2e/t_schedule.sh.
EXTRA_DIST += contrib/scheduled-scrub contrib/README.schedule \
	contrib/systemd/listscrub-scrub@.service \
	contrib/systemd/listscrub-scrub@.timer contrib/cron/listscrub
# Shards of one job run by GNU Parallel, then merged (contrib/shard/README);
# tests/smtp/t_parallel.sh.
EXTRA_DIST += contrib/shard/parallel-scrub contrib/shard/README
# Shards on a Slurm cluster (contrib/shard/README.slurm) and on Kubernetes
# (contrib/shard/README.k8s); tests/slurm/t_slurm.sh.
EXTRA_DIST += contrib/shard/listscrub.sbatch contrib/shard/slurm-scrub \
	contrib/shard/README.slurm contrib/shard/listscrub-job.yaml \
	contrib/shard/README.k8s

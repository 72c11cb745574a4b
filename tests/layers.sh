#!/bin/sh
# layers.sh - the folders of validator/ are layers (validator/README,
# "Layers and modules"): a file may include headers of its own folder and of the
# layers below it, never of a layer above it or beside it. TAP output,
# one test per source file.
src=${srcdir:-.}

# rank FOLDER - the layer's height; folders of equal rank may not use each
# other. The top (main.c, options, pipeline) may use every layer.
rank() {
	case $1 in
	util) echo 0 ;;
	address | smtp) echo 1 ;;
	verdict) echo 2 ;;
	csv | dns | store) echo 3 ;;
	probe | preflight) echo 4 ;;
	report) echo 5 ;;
	sheet) echo 6 ;;
	.) echo 9 ;;
	*) echo unknown ;;
	esac
}

n=0; bad=0
for f in $(cd "$src/validator" && find . -name '*.[ch]' | sort); do
	n=$((n + 1))
	dir=$(dirname "$f"); dir=${dir#./}
	[ "$dir" = . ] || dir=${dir%%/*}
	me=$(rank "$dir")
	errs=
	if [ "$me" = unknown ]; then
		errs="folder $dir is not a known layer (add it to tests/layers.sh and validator/README)"
	fi
	for inc in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$src/validator/$f"); do
		case $inc in
		config.h) continue ;;
		*/*) to=${inc%%/*} ;;
		*) to=. ;;
		esac
		[ "$to" = "$dir" ] && continue
		them=$(rank "$to")
		if [ "$them" = unknown ]; then
			errs="$errs${errs:+; }includes \"$inc\" from no known layer"
		elif [ "$them" -ge "$me" ]; then
			errs="$errs${errs:+; }$dir may not include \"$inc\""
		fi
	done
	if [ -n "$errs" ]; then
		echo "not ok $n - validator/${f#./}: $errs"
		bad=1
	else
		echo "ok $n - validator/${f#./}"
	fi
done
echo "1..$n"
exit $bad

# Fetch Debian packages of any suite and architecture into $VMM_CACHE without touching the
# machine's own apt state: each state (a set of suites for one architecture) gets private lists,
# status and cache under $VMM_CACHE/apt/NAME. Sourced by bash scripts after scripts/paths.sh.

DEB_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
DEB_SOURCES=/etc/apt/sources.list.d/debian.sources
# Package lists older than this many minutes are re-read from the mirror; 0 forces a refresh.
DEB_MAX_AGE=${VMM_APT_MAX_AGE:-360}

# Messages start with the script's name, or with $VMM_PROG when the script sets it.
die() {
	echo "${VMM_PROG:-${0##*/}}: $*" >&2
	exit 1
}

note() { echo "${VMM_PROG:-${0##*/}}: $*" >&2; }

# deb_lock: one user of $VMM_CACHE at a time (parallel test runs share it). Children inherit the
# lock, so release it (deb_unlock) before starting anything long-lived.
deb_lock() {
	mkdir -p "$VMM_CACHE"
	exec 9>"$VMM_CACHE/.lock"
	flock 9
}

deb_unlock() { exec 9>&-; }

# The URI of the machine's bookworm mirror, read at run time so no host name is written down:
# from the deb822 file, else from a one-line "deb [options] URI bookworm ..." in sources.list.
deb_mirror() {
	local uri=
	[[ -r $DEB_SOURCES ]] && uri=$(awk -v RS= -F'\n' '{
		uri = ""; hit = 0
		for (i = 1; i <= NF; i++) {
			n = split($i, w, /[ \t]+/)
			if (w[1] == "URIs:") uri = w[2]
			if (w[1] == "Suites:") for (j = 2; j <= n; j++) if (w[j] == "bookworm") hit = 1
		}
		if (hit && uri != "") { print uri; exit }
	}' "$DEB_SOURCES")
	[[ -n $uri || ! -r /etc/apt/sources.list ]] || uri=$(sed 's/\[[^]]*\]//' /etc/apt/sources.list |
		awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
	[[ -n $uri ]] || die "no URIs line for suite bookworm in $DEB_SOURCES; add the Debian mirror there"
	echo "$uri"
}

# deb_state NAME ARCH SUITE...: select (and create, and refresh when stale) a private apt state.
deb_state() {
	local name=$1 arch=$2 mirror suite list=
	shift 2
	mirror=$(deb_mirror)
	DEB_NAME=$name
	DEB_DIR=$VMM_CACHE/apt/$name
	mkdir -p "$DEB_DIR/lists/partial" "$DEB_DIR/cache/archives/partial" "$VMM_CACHE/debs"
	for suite; do
		list+="deb [arch=$arch signed-by=$DEB_KEYRING] $mirror $suite main"$'\n'
	done
	if [[ ! -f $DEB_DIR/sources.list || "$(<"$DEB_DIR/sources.list")"$'\n' != "$list" ]]; then
		printf '%s' "$list" >"$DEB_DIR/sources.list"
		rm -f "$DEB_DIR/updated"
	fi
	[[ -f $DEB_DIR/status ]] || : >"$DEB_DIR/status"
	# pkgcache.bin is re-enabled (Docker-style images turn it off): it makes look-ups ~30x faster.
	# Check-Valid-Until off: the mirror may be a dated snapshot whose Release files have expired
	# (signatures are still checked).
	DEB_APT=(-o "Dir::State::Lists=$DEB_DIR/lists" -o "Dir::State::status=$DEB_DIR/status"
		-o "Dir::Etc::SourceList=$DEB_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::Cache=$DEB_DIR/cache" -o Dir::Cache::pkgcache=pkgcache.bin
		-o Dir::Cache::srcpkgcache=srcpkgcache.bin -o "APT::Architecture=$arch"
		-o "APT::Architectures::=$arch" -o Acquire::Languages=none
		-o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root -q)
	deb_refresh
}

# deb_refresh [force]: re-read the package lists when they are older than DEB_MAX_AGE minutes.
deb_refresh() {
	local stamp=$DEB_DIR/updated
	if [[ ${1:-} != force && -f $stamp && -n $(find "$stamp" -mmin "-$DEB_MAX_AGE") ]]; then
		return 0
	fi
	if apt-get "${DEB_APT[@]}" update >"$DEB_DIR/update.log" 2>&1 &&
		! grep -q '^E:' "$DEB_DIR/update.log"; then
		rm -f "$DEB_DIR/versions"
		touch "$stamp"
	elif [[ -f $stamp ]]; then
		note "warning: could not refresh the $DEB_NAME package lists ($DEB_DIR/update.log); using the old ones"
	else
		die "cannot fetch the $DEB_NAME package lists; see $DEB_DIR/update.log and check the mirror in $DEB_SOURCES"
	fi
}

# deb_show SPEC...: "package version architecture" for each PKG, PKG/SUITE or PKG=VER, in one
# apt-cache run (each run costs ~0.2 s).
deb_show() {
	apt-cache "${DEB_APT[@]}" show --no-all-versions "$@" 2>/dev/null | awk '
		$1 == "Package:" { p = $2 } $1 == "Version:" { v = $2 } $1 == "Architecture:" { a = $2 }
		/^$/ { if (p != "") print p, v, a; p = "" }
		END { if (p != "") print p, v, a }'
}

# deb_field PKG[=VER|/SUITE] FIELD: one control field of the candidate (or given) version.
deb_field() {
	apt-cache "${DEB_APT[@]}" show --no-all-versions "$1" 2>/dev/null |
		awk -v f="$2:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}

# deb_versions PKG[/SUITE]...: "PKG=VERSION" of each candidate, in argument order. Answers are
# remembered until the lists are next refreshed, so an up-to-date re-run asks apt nothing.
deb_versions() {
	local memo=$DEB_DIR/versions spec line shown=''
	touch "$memo"
	for spec; do
		line=$(awk -v s="$spec" '$1 == s { print $2; exit }' "$memo")
		if [[ -z $line ]]; then
			[[ -n $shown ]] || shown=$(deb_show "$@")
			line=$(awk -v p="${spec%%[/=]*}" '$1 == p { print $1 "=" $2; exit }' <<<"$shown")
			[[ -n $line ]] || die "package $spec not found in the $DEB_NAME lists; try again with VMM_APT_MAX_AGE=0"
			echo "$spec $line" >>"$memo"
		fi
		echo "$line"
	done
}

deb_version() {
	local line
	line=$(deb_versions "$1")
	echo "${line#*=}"
}

# deb_fetch PKG=VER...: download into $VMM_CACHE/debs (named by version, so a new version is a
# new file) unless already there, then print the .deb paths in argument order.
deb_fetch() {
	local shown spec pkg ver arch file missing=() paths=() tmp
	shown=$(deb_show "$@")
	for spec; do
		pkg=${spec%%=*} ver=${spec#*=}
		arch=$(awk -v p="$pkg" -v v="$ver" '$1 == p && $2 == v { print $3; exit }' <<<"$shown")
		[[ -n $arch ]] || die "package $spec not found in the $DEB_NAME lists; try again with VMM_APT_MAX_AGE=0"
		file=$VMM_CACHE/debs/${pkg}_${ver//:/%3a}_$arch.deb
		[[ -f $file ]] || missing+=("$spec")
		paths+=("$file")
	done
	if ((${#missing[@]})); then
		note "downloading ${missing[*]}"
		# Into a private directory first, so an interrupted download never looks complete.
		tmp=$(mktemp -d "$VMM_CACHE/debs/.dl.XXXXXX")
		if ! (cd "$tmp" && apt-get "${DEB_APT[@]}" download "${missing[@]}" >"$tmp/log" 2>&1); then
			cp "$tmp/log" "$DEB_DIR/download.log"
			rm -rf "$tmp"
			deb_refresh force
			die "could not download ${missing[*]} (log: $DEB_DIR/download.log); lists refreshed, run again"
		fi
		mv "$tmp"/*.deb "$VMM_CACHE/debs/"
		rm -rf "$tmp"
	fi
	printf '%s\n' "${paths[@]}"
}

# deb_extract DIR DEB...: unpack the packages' files (not their scripts) into DIR.
deb_extract() {
	local dir=$1 deb
	shift
	mkdir -p "$dir"
	for deb; do
		dpkg-deb -x "$deb" "$dir" || die "cannot unpack $deb; delete it and run again"
	done
}

# busybox_static: path of bookworm's static arm64 busybox, fetched and unpacked once per version.
busybox_static() {
	local ver dir deb
	deb_state bookworm-arm64 arm64 bookworm
	ver=$(deb_version busybox-static)
	dir=$VMM_CACHE/busybox/$ver
	if [[ ! -x $dir/bin/busybox ]]; then
		deb=$(deb_fetch "busybox-static=$ver")
		rm -rf "$dir.tmp"
		deb_extract "$dir.tmp" "$deb"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir/bin/busybox"
}

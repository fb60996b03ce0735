//! Paths of the workspace, and the few file operations the build needs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

/// The workspace root: this crate's parent folder.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the site crate lies in the workspace")
        .to_path_buf()
}

/// An executable of the end-to-end suite's npm packages (`scripts/setup.sh` installs them).
pub fn npm_bin(name: &str) -> anyhow::Result<PathBuf> {
    let path = workspace().join("end2end/node_modules/.bin").join(name);
    if !path.exists() {
        bail!(
            "{} is missing: run ./scripts/setup.sh (it installs end2end's npm packages)",
            path.display()
        );
    }
    Ok(path)
}

/// Runs a command to its end, failing with its name when it fails.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let what = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("could not start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Runs a command to its end with its output kept, shown only when it fails (wasm-opt warns
/// about every chunk's name section, which says nothing about the build).
pub fn run_quietly(command: &mut Command) -> anyhow::Result<()> {
    let what = format!("{command:?}");
    let output = command
        .output()
        .with_context(|| format!("could not start {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Copies a folder's files into another, recursively, replacing what is there.
pub fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

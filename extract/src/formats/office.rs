//! Legacy office formats (DOC, Kingsoft WPS, RTF; XLS/ET that calamine cannot
//! read) converted by LibreOffice headless to DOCX/XLSX, which the in-process
//! readers then parse — so tables keep their grid. Without `soffice` on `PATH`
//! the document gets status `needs_conversion` and the flag `tool_missing:soffice`;
//! with LibreOffice but without the component for the format (Debian packages
//! `libreoffice-writer-nogui` for DOC/WPS/RTF, `libreoffice-calc-nogui` for XLS/ET)
//! it is `needs_conversion` with `tool_missing:libreoffice-writer` / `-calc`.
//!
//! Each run uses a private LibreOffice profile inside its work directory, so
//! parallel conversions do not fight over `~/.config/libreoffice`.

use super::limits::Limits;
use super::tool::{self, ToolError, Workdir};
use std::path::Path;

/// Converts `bytes` (saved as `in.<ext>`) to `target` (`docx` or `xlsx`).
/// Errors are report flags; `tool_missing:soffice` when LibreOffice is absent.
pub(crate) fn convert(
    bytes: &[u8],
    ext: &str,
    target: &str,
    limits: &Limits,
) -> Result<Vec<u8>, String> {
    let program = ["soffice", "libreoffice"]
        .into_iter()
        .find_map(tool::which)
        .ok_or_else(|| "tool_missing:soffice".to_string())?;
    convert_with(&program, bytes, ext, target, limits)
}

/// The LibreOffice component that writes `target`, and the library that is
/// its core in LibreOffice's program directory (`libswlo` Writer, `libsclo` Calc).
fn component(target: &str) -> (&'static str, &'static str) {
    if target == "xlsx" {
        ("libreoffice-calc", "libsclo")
    } else {
        ("libreoffice-writer", "libswlo")
    }
}

/// Whether the LibreOffice installation of `program` has the library `lib`
/// (Debian splits Writer and Calc into packages; `soffice` comes with either).
/// Only a LibreOffice program directory (one holding `soffice.bin`) is judged;
/// any other layout (a wrapper script elsewhere) is given the benefit of the doubt.
fn has_component(program: &Path, lib: &str) -> bool {
    let Some(dir) = std::fs::canonicalize(program)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    else {
        return true;
    };
    let names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    !names.iter().any(|n| n == "soffice.bin") || names.iter().any(|n| n.starts_with(lib))
}

/// [`convert`] with the LibreOffice executable given. Without the component
/// that reads the format (Writer for DOC/WPS/RTF, Calc for XLS/ET) the flag is
/// `tool_missing:<package>`, so the document stays `needs_conversion`.
fn convert_with(
    program: &Path,
    bytes: &[u8],
    ext: &str,
    target: &str,
    limits: &Limits,
) -> Result<Vec<u8>, String> {
    let (package, lib) = component(target);
    if !has_component(program, lib) {
        return Err(format!("tool_missing:{package}"));
    }
    let program = program.to_string_lossy();
    let input = format!("in.{ext}");
    let (work, _) = Workdir::with_input(&input, bytes).map_err(flag)?;
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        work.path().display()
    );
    let args = [
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        profile.as_str(),
        "--convert-to",
        target,
        "--outdir",
        "out",
        input.as_str(),
    ];
    let run = tool::run(&program, &args, &work, limits).map_err(flag)?;
    let out = work.path().join("out").join(format!("in.{target}"));
    std::fs::read(&out).map_err(|e| format!("conversion_error:soffice:{e}:{}", run.stderr_head))
}

/// The flag for a tool error in the conversion path.
fn flag(e: ToolError) -> String {
    e.flag("tool_missing:soffice", "conversion_error")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fake LibreOffice program directory holding `libs`, with an `soffice`
    /// that fails like LibreOffice does when no component can load the file.
    fn fake_install(libs: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("soffice");
        std::fs::write(
            &exe,
            "#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n",
        )
        .unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        for lib in libs.iter().chain(&["soffice.bin"]) {
            std::fs::write(dir.path().join(lib), b"").unwrap();
        }
        (dir, exe)
    }

    #[test]
    fn calc_only_leaves_a_doc_needing_conversion() {
        let (_dir, exe) = fake_install(&["libsclo.so"]);
        let r = convert_with(&exe, b"doc bytes", "doc", "docx", &Limits::default());
        assert_eq!(r, Err("tool_missing:libreoffice-writer".to_string()));
        // The XLS path has its component: LibreOffice runs, and its failure is a failure.
        let r = convert_with(&exe, b"xls bytes", "xls", "xlsx", &Limits::default());
        assert!(
            r.as_ref()
                .is_err_and(|f| f.starts_with("conversion_error:soffice:")),
            "{r:?}"
        );
    }

    #[test]
    fn writer_only_leaves_an_xls_needing_conversion() {
        let (_dir, exe) = fake_install(&["libswlo.so"]);
        let r = convert_with(&exe, b"xls bytes", "xls", "xlsx", &Limits::default());
        assert_eq!(r, Err("tool_missing:libreoffice-calc".to_string()));
    }
}

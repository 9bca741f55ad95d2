//! Legacy office formats (DOC, Kingsoft WPS, RTF; XLS/ET that calamine cannot
//! read) converted by LibreOffice headless to DOCX/XLSX, which the in-process
//! readers then parse — so tables keep their grid. Without `soffice` on `PATH`
//! the document gets status `needs_conversion` and the flag `tool_missing:soffice`.
//!
//! Each run uses a private LibreOffice profile inside its work directory, so
//! parallel conversions do not fight over `~/.config/libreoffice`.

use super::limits::{Exceeded, Limits};
use super::tool::{self, ToolError, Workdir};

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
        .find(|p| tool::which(p).is_some());
    let Some(program) = program else {
        return Err("tool_missing:soffice".to_string());
    };
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
    let run = tool::run(program, &args, &work, limits).map_err(flag)?;
    let out = work.path().join("out").join(format!("in.{target}"));
    std::fs::read(&out).map_err(|e| format!("conversion_error:soffice:{e}:{}", run.stderr_head))
}

/// The flag for a tool error in the conversion path.
fn flag(e: ToolError) -> String {
    match e {
        ToolError::Missing => "tool_missing:soffice".to_string(),
        ToolError::Timeout => Exceeded::Timeout.flag(),
        ToolError::TooMuchOutput => Exceeded::ToolOutput.flag(),
        ToolError::Failed(m) => format!("conversion_error:{m}"),
    }
}

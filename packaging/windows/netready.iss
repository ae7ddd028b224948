; Inno Setup script of netready's Windows installer (Inno Setup 6).
;
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=..\..\dist\netready /DOutputDir=..\..\dist
;            /DIconFile=..\..\build\pyinstaller\netready\icons\netready.ico windows\netready.iss
;
; build-windows.ps1 runs it with the version from netready.__version__ (the one place it is
; written) and the onedir bundle PyInstaller made. Installs for the current user by default
; (no administrator needed), or for all users when chosen in the first dialog.

#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (build-windows.ps1 does)
#endif
#ifndef SourceDir
  #error Pass /DSourceDir=path\to\dist\netready (build-windows.ps1 does)
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif

[Setup]
; never change the AppId: Windows recognises upgrades and the uninstaller by it
AppId={{075F5EC6-7008-45FD-8AC6-6457DCC70AFD}
AppName=netready
AppVersion={#AppVersion}
AppVerName=netready {#AppVersion}
AppPublisher=netready developers
AppComments=How ready are your domains and networks for an encrypted, IPv6-capable Internet
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\netready
DefaultGroupName=netready
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=netready-{#AppVersion}-windows-x64-setup
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
UninstallDisplayIcon={app}\netready-gui.exe
UninstallDisplayName=netready {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; the whole onedir bundle: netready-gui.exe (the app), netready.exe (the command line), _internal\
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the bundle's libraries wholesale: no stale module of an older version stays
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\netready"; Filename: "{app}\netready-gui.exe"
Name: "{autodesktop}\netready"; Filename: "{app}\netready-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\netready-gui.exe"; Description: "{cm:LaunchProgram,netready}"; Flags: nowait postinstall skipifsilent

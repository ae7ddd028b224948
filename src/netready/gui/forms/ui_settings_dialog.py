# ruff: noqa
# Generated from ui/settings_dialog.ui by ui/build_forms.py (pyside6-uic); do not edit.
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QMetaObject,
    QObject,
    QPoint,
    QRect,
    QSize,
    QTime,
    QUrl,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QConicalGradient,
    QCursor,
    QFont,
    QFontDatabase,
    QGradient,
    QIcon,
    QImage,
    QKeySequence,
    QLinearGradient,
    QPainter,
    QPalette,
    QPixmap,
    QRadialGradient,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class Ui_SettingsDialog(object):
    def setupUi(self, SettingsDialog):
        if not SettingsDialog.objectName():
            SettingsDialog.setObjectName("SettingsDialog")
        SettingsDialog.resize(600, 640)
        self.dialogLayout = QVBoxLayout(SettingsDialog)
        self.dialogLayout.setObjectName("dialogLayout")
        self.resolutionBox = QGroupBox(SettingsDialog)
        self.resolutionBox.setObjectName("resolutionBox")
        self.resolutionBoxLayout = QFormLayout(self.resolutionBox)
        self.resolutionBoxLayout.setObjectName("resolutionBoxLayout")
        self.resolversLabel = QLabel(self.resolutionBox)
        self.resolversLabel.setObjectName("resolversLabel")

        self.resolutionBoxLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.resolversLabel)

        self.resolversEdit = QLineEdit(self.resolutionBox)
        self.resolversEdit.setObjectName("resolversEdit")

        self.resolutionBoxLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.resolversEdit)

        self.trustAnchorLabel = QLabel(self.resolutionBox)
        self.trustAnchorLabel.setObjectName("trustAnchorLabel")

        self.resolutionBoxLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.trustAnchorLabel)

        self.trustAnchorEditLayout = QHBoxLayout()
        self.trustAnchorEditLayout.setObjectName("trustAnchorEditLayout")
        self.trustAnchorEdit = QLineEdit(self.resolutionBox)
        self.trustAnchorEdit.setObjectName("trustAnchorEdit")

        self.trustAnchorEditLayout.addWidget(self.trustAnchorEdit)

        self.trustAnchorBrowse = QToolButton(self.resolutionBox)
        self.trustAnchorBrowse.setObjectName("trustAnchorBrowse")

        self.trustAnchorEditLayout.addWidget(self.trustAnchorBrowse)

        self.resolutionBoxLayout.setLayout(
            1, QFormLayout.ItemRole.FieldRole, self.trustAnchorEditLayout
        )

        self.caFileLabel = QLabel(self.resolutionBox)
        self.caFileLabel.setObjectName("caFileLabel")

        self.resolutionBoxLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.caFileLabel)

        self.caFileEditLayout = QHBoxLayout()
        self.caFileEditLayout.setObjectName("caFileEditLayout")
        self.caFileEdit = QLineEdit(self.resolutionBox)
        self.caFileEdit.setObjectName("caFileEdit")

        self.caFileEditLayout.addWidget(self.caFileEdit)

        self.caFileBrowse = QToolButton(self.resolutionBox)
        self.caFileBrowse.setObjectName("caFileBrowse")

        self.caFileEditLayout.addWidget(self.caFileBrowse)

        self.resolutionBoxLayout.setLayout(2, QFormLayout.ItemRole.FieldRole, self.caFileEditLayout)

        self.dialogLayout.addWidget(self.resolutionBox)

        self.limitsBox = QGroupBox(SettingsDialog)
        self.limitsBox.setObjectName("limitsBox")
        self.limitsBoxLayout = QFormLayout(self.limitsBox)
        self.limitsBoxLayout.setObjectName("limitsBoxLayout")
        self.timeoutLabel = QLabel(self.limitsBox)
        self.timeoutLabel.setObjectName("timeoutLabel")

        self.limitsBoxLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.timeoutLabel)

        self.timeoutSpin = QDoubleSpinBox(self.limitsBox)
        self.timeoutSpin.setObjectName("timeoutSpin")
        self.timeoutSpin.setDecimals(1)
        self.timeoutSpin.setMinimum(0.100000000000000)
        self.timeoutSpin.setMaximum(600.000000000000000)

        self.limitsBoxLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.timeoutSpin)

        self.portTimeoutLabel = QLabel(self.limitsBox)
        self.portTimeoutLabel.setObjectName("portTimeoutLabel")

        self.limitsBoxLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.portTimeoutLabel)

        self.portTimeoutSpin = QDoubleSpinBox(self.limitsBox)
        self.portTimeoutSpin.setObjectName("portTimeoutSpin")
        self.portTimeoutSpin.setDecimals(1)
        self.portTimeoutSpin.setMinimum(0.100000000000000)
        self.portTimeoutSpin.setMaximum(60.000000000000000)

        self.limitsBoxLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.portTimeoutSpin)

        self.concurrencyLabel = QLabel(self.limitsBox)
        self.concurrencyLabel.setObjectName("concurrencyLabel")

        self.limitsBoxLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.concurrencyLabel)

        self.concurrencySpin = QSpinBox(self.limitsBox)
        self.concurrencySpin.setObjectName("concurrencySpin")
        self.concurrencySpin.setMinimum(1)
        self.concurrencySpin.setMaximum(4096)

        self.limitsBoxLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.concurrencySpin)

        self.perHostLabel = QLabel(self.limitsBox)
        self.perHostLabel.setObjectName("perHostLabel")

        self.limitsBoxLayout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.perHostLabel)

        self.perHostSpin = QSpinBox(self.limitsBox)
        self.perHostSpin.setObjectName("perHostSpin")
        self.perHostSpin.setMinimum(1)
        self.perHostSpin.setMaximum(64)

        self.limitsBoxLayout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.perHostSpin)

        self.sweepRateLabel = QLabel(self.limitsBox)
        self.sweepRateLabel.setObjectName("sweepRateLabel")

        self.limitsBoxLayout.setWidget(4, QFormLayout.ItemRole.LabelRole, self.sweepRateLabel)

        self.sweepRateSpin = QSpinBox(self.limitsBox)
        self.sweepRateSpin.setObjectName("sweepRateSpin")
        self.sweepRateSpin.setMinimum(1)
        self.sweepRateSpin.setMaximum(100000)

        self.limitsBoxLayout.setWidget(4, QFormLayout.ItemRole.FieldRole, self.sweepRateSpin)

        self.maxNetworkLabel = QLabel(self.limitsBox)
        self.maxNetworkLabel.setObjectName("maxNetworkLabel")

        self.limitsBoxLayout.setWidget(5, QFormLayout.ItemRole.LabelRole, self.maxNetworkLabel)

        self.maxNetworkSpin = QSpinBox(self.limitsBox)
        self.maxNetworkSpin.setObjectName("maxNetworkSpin")
        self.maxNetworkSpin.setMinimum(1)
        self.maxNetworkSpin.setMaximum(65536)

        self.limitsBoxLayout.setWidget(5, QFormLayout.ItemRole.FieldRole, self.maxNetworkSpin)

        self.dialogLayout.addWidget(self.limitsBox)

        self.portsBox = QGroupBox(SettingsDialog)
        self.portsBox.setObjectName("portsBox")
        self.portsBoxLayout = QFormLayout(self.portsBox)
        self.portsBoxLayout.setObjectName("portsBoxLayout")
        self.tlsPortsLabel = QLabel(self.portsBox)
        self.tlsPortsLabel.setObjectName("tlsPortsLabel")

        self.portsBoxLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.tlsPortsLabel)

        self.tlsPortsEdit = QLineEdit(self.portsBox)
        self.tlsPortsEdit.setObjectName("tlsPortsEdit")

        self.portsBoxLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.tlsPortsEdit)

        self.mailCheck = QCheckBox(self.portsBox)
        self.mailCheck.setObjectName("mailCheck")

        self.portsBoxLayout.setWidget(1, QFormLayout.ItemRole.SpanningRole, self.mailCheck)

        self.exposurePortsLabel = QLabel(self.portsBox)
        self.exposurePortsLabel.setObjectName("exposurePortsLabel")

        self.portsBoxLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.exposurePortsLabel)

        self.exposurePortsEdit = QLineEdit(self.portsBox)
        self.exposurePortsEdit.setObjectName("exposurePortsEdit")

        self.portsBoxLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.exposurePortsEdit)

        self.dialogLayout.addWidget(self.portsBox)

        self.lanBox = QGroupBox(SettingsDialog)
        self.lanBox.setObjectName("lanBox")
        self.lanBoxLayout = QFormLayout(self.lanBox)
        self.lanBoxLayout.setObjectName("lanBoxLayout")
        self.lanInterfaceLabel = QLabel(self.lanBox)
        self.lanInterfaceLabel.setObjectName("lanInterfaceLabel")

        self.lanBoxLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.lanInterfaceLabel)

        self.lanInterfaceCombo = QComboBox(self.lanBox)
        self.lanInterfaceCombo.setObjectName("lanInterfaceCombo")
        self.lanInterfaceCombo.setEditable(True)

        self.lanBoxLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.lanInterfaceCombo)

        self.lanIpv4OnlyCheck = QCheckBox(self.lanBox)
        self.lanIpv4OnlyCheck.setObjectName("lanIpv4OnlyCheck")

        self.lanBoxLayout.setWidget(1, QFormLayout.ItemRole.SpanningRole, self.lanIpv4OnlyCheck)

        self.dialogLayout.addWidget(self.lanBox)

        self.whereLabel = QLabel(SettingsDialog)
        self.whereLabel.setObjectName("whereLabel")
        self.whereLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.whereLabel.setWordWrap(True)
        self.whereLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.dialogLayout.addWidget(self.whereLabel)

        self.errorLabel = QLabel(SettingsDialog)
        self.errorLabel.setObjectName("errorLabel")
        self.errorLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.errorLabel.setWordWrap(True)

        self.dialogLayout.addWidget(self.errorLabel)

        self.buttonBox = QDialogButtonBox(SettingsDialog)
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.setStandardButtons(
            QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )

        self.dialogLayout.addWidget(self.buttonBox)

        # if QT_CONFIG(shortcut)
        self.resolversLabel.setBuddy(self.resolversEdit)
        self.trustAnchorLabel.setBuddy(self.trustAnchorEdit)
        self.caFileLabel.setBuddy(self.caFileEdit)
        self.timeoutLabel.setBuddy(self.timeoutSpin)
        self.portTimeoutLabel.setBuddy(self.portTimeoutSpin)
        self.concurrencyLabel.setBuddy(self.concurrencySpin)
        self.perHostLabel.setBuddy(self.perHostSpin)
        self.sweepRateLabel.setBuddy(self.sweepRateSpin)
        self.maxNetworkLabel.setBuddy(self.maxNetworkSpin)
        self.tlsPortsLabel.setBuddy(self.tlsPortsEdit)
        self.exposurePortsLabel.setBuddy(self.exposurePortsEdit)
        self.lanInterfaceLabel.setBuddy(self.lanInterfaceCombo)
        # endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.resolversEdit, self.trustAnchorEdit)
        QWidget.setTabOrder(self.trustAnchorEdit, self.trustAnchorBrowse)
        QWidget.setTabOrder(self.trustAnchorBrowse, self.caFileEdit)
        QWidget.setTabOrder(self.caFileEdit, self.caFileBrowse)
        QWidget.setTabOrder(self.caFileBrowse, self.timeoutSpin)
        QWidget.setTabOrder(self.timeoutSpin, self.portTimeoutSpin)
        QWidget.setTabOrder(self.portTimeoutSpin, self.concurrencySpin)
        QWidget.setTabOrder(self.concurrencySpin, self.perHostSpin)
        QWidget.setTabOrder(self.perHostSpin, self.sweepRateSpin)
        QWidget.setTabOrder(self.sweepRateSpin, self.maxNetworkSpin)
        QWidget.setTabOrder(self.maxNetworkSpin, self.tlsPortsEdit)
        QWidget.setTabOrder(self.tlsPortsEdit, self.mailCheck)
        QWidget.setTabOrder(self.mailCheck, self.exposurePortsEdit)
        QWidget.setTabOrder(self.exposurePortsEdit, self.lanInterfaceCombo)
        QWidget.setTabOrder(self.lanInterfaceCombo, self.lanIpv4OnlyCheck)

        self.retranslateUi(SettingsDialog)
        self.buttonBox.rejected.connect(SettingsDialog.reject)

    # setupUi

    def retranslateUi(self, SettingsDialog):
        SettingsDialog.setWindowTitle(
            QCoreApplication.translate("SettingsDialog", "Settings", None)
        )
        self.resolutionBox.setTitle(
            QCoreApplication.translate("SettingsDialog", "Name resolution and trust", None)
        )
        self.resolversLabel.setText(
            QCoreApplication.translate("SettingsDialog", "&Resolvers:", None)
        )
        # if QT_CONFIG(tooltip)
        self.resolversEdit.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "IP addresses of the DNS resolvers to use, separated by spaces or commas; empty uses this computer's resolvers",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.resolversEdit.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Resolvers", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.resolversEdit.setPlaceholderText(
            QCoreApplication.translate("SettingsDialog", "This computer's resolvers", None)
        )
        self.trustAnchorLabel.setText(
            QCoreApplication.translate("SettingsDialog", "DNSSEC &trust anchor:", None)
        )
        # if QT_CONFIG(accessibility)
        self.trustAnchorEdit.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "DNSSEC trust anchor file", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.trustAnchorEdit.setPlaceholderText(
            QCoreApplication.translate("SettingsDialog", "The IANA root keys (shipped)", None)
        )
        # if QT_CONFIG(accessibility)
        self.trustAnchorBrowse.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Choose the trust anchor file", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.trustAnchorBrowse.setText(QCoreApplication.translate("SettingsDialog", "\u2026", None))
        self.caFileLabel.setText(
            QCoreApplication.translate("SettingsDialog", "Extra &CA certificates:", None)
        )
        # if QT_CONFIG(tooltip)
        self.caFileEdit.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "A PEM file of CA certificates to trust besides the usual ones, e.g. your internal CA",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.caFileEdit.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Extra CA certificates file", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.caFileEdit.setPlaceholderText(
            QCoreApplication.translate("SettingsDialog", "None", None)
        )
        # if QT_CONFIG(accessibility)
        self.caFileBrowse.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Choose the CA certificates file", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.caFileBrowse.setText(QCoreApplication.translate("SettingsDialog", "\u2026", None))
        self.limitsBox.setTitle(
            QCoreApplication.translate("SettingsDialog", "Time limits and load", None)
        )
        self.timeoutLabel.setText(
            QCoreApplication.translate("SettingsDialog", "T&ime limit per probe:", None)
        )
        # if QT_CONFIG(tooltip)
        self.timeoutSpin.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                'How long one network probe may take before it counts as "could not test"',
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.timeoutSpin.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Time limit per probe in seconds", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.timeoutSpin.setSuffix(QCoreApplication.translate("SettingsDialog", " s", None))
        self.portTimeoutLabel.setText(
            QCoreApplication.translate("SettingsDialog", "Time limit per &port:", None)
        )
        # if QT_CONFIG(tooltip)
        self.portTimeoutSpin.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "How long a port may take to answer before it counts as filtered",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.portTimeoutSpin.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Time limit per port in seconds", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.portTimeoutSpin.setSuffix(QCoreApplication.translate("SettingsDialog", " s", None))
        self.concurrencyLabel.setText(
            QCoreApplication.translate("SettingsDialog", "Probes at &once:", None)
        )
        # if QT_CONFIG(accessibility)
        self.concurrencySpin.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Probes at once over the whole scan", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.perHostLabel.setText(
            QCoreApplication.translate("SettingsDialog", "Probes at once per &host:", None)
        )
        # if QT_CONFIG(accessibility)
        self.perHostSpin.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Probes at once against one host", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.sweepRateLabel.setText(
            QCoreApplication.translate("SettingsDialog", "Connection attempts per &second:", None)
        )
        # if QT_CONFIG(tooltip)
        self.sweepRateSpin.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "For port comparisons and network sweeps, over the whole scan",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.sweepRateSpin.setAccessibleName(
            QCoreApplication.translate(
                "SettingsDialog",
                "Connection attempts per second for port comparisons and sweeps",
                None,
            )
        )
        # endif // QT_CONFIG(accessibility)
        self.maxNetworkLabel.setText(
            QCoreApplication.translate("SettingsDialog", "Largest &network without asking:", None)
        )
        # if QT_CONFIG(tooltip)
        self.maxNetworkSpin.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "A network with more addresses is swept only after you confirm it",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.maxNetworkSpin.setAccessibleName(
            QCoreApplication.translate(
                "SettingsDialog", "Largest network scanned without asking, in addresses", None
            )
        )
        # endif // QT_CONFIG(accessibility)
        self.maxNetworkSpin.setSuffix(
            QCoreApplication.translate("SettingsDialog", " addresses", None)
        )
        self.portsBox.setTitle(QCoreApplication.translate("SettingsDialog", "Ports", None))
        self.tlsPortsLabel.setText(
            QCoreApplication.translate("SettingsDialog", "&TLS ports:", None)
        )
        # if QT_CONFIG(tooltip)
        self.tlsPortsEdit.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "TCP ports the TLS checks test, separated by spaces or commas (25 and 587: SMTP STARTTLS, 143: IMAP, 110: POP3)",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.tlsPortsEdit.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "TLS ports", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(tooltip)
        self.mailCheck.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "25 on the mail servers; 587, 465, 143, 993, 110 and 995 on the name itself",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        self.mailCheck.setText(
            QCoreApplication.translate("SettingsDialog", "Also test the &mail servers' TLS", None)
        )
        self.exposurePortsLabel.setText(
            QCoreApplication.translate("SettingsDialog", "&Exposure ports:", None)
        )
        # if QT_CONFIG(tooltip)
        self.exposurePortsEdit.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "TCP ports compared over IPv4 and IPv6, e.g. 22, 3389, 8000-8010",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.exposurePortsEdit.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Ports compared over IPv4 and IPv6", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.lanBox.setTitle(QCoreApplication.translate("SettingsDialog", "Local network", None))
        self.lanInterfaceLabel.setText(
            QCoreApplication.translate("SettingsDialog", "&LAN interface:", None)
        )
        # if QT_CONFIG(tooltip)
        self.lanInterfaceCombo.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "The interface whose local network the LAN checks examine; empty: the one carrying the default IPv4 route",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.lanInterfaceCombo.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "LAN interface", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(tooltip)
        self.lanIpv4OnlyCheck.setToolTip(
            QCoreApplication.translate(
                "SettingsDialog",
                "Router advertisements, DHCPv6 servers and IPv6 hosts on it are then failures",
                None,
            )
        )
        # endif // QT_CONFIG(tooltip)
        self.lanIpv4OnlyCheck.setText(
            QCoreApplication.translate(
                "SettingsDialog", "This network is meant to carry &no IPv6", None
            )
        )
        self.whereLabel.setText("")
        # if QT_CONFIG(accessibility)
        self.errorLabel.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Problem with the settings", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.errorLabel.setText("")

    # retranslateUi
